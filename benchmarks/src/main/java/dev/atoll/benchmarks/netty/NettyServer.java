package dev.atoll.benchmarks.netty;

import dev.atoll.config.DriverKind;
import dev.atoll.examples.ReadyLine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.internal.PlatformDependent;
import sun.misc.Signal;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Netty 4.2 peer of the HTTP and echo examples, for {@code ./atoll bench http} and
 * {@code ./atoll bench echo}: {@code NettyServer http|echo io_uring|epoll THREADS [HOST] [PORT]}.
 *
 * <p>Configured as Netty's maintainers configure it for speed (their TechEmpower entry and the
 * echo example): native transport, one {@link MultiThreadIoEventLoopGroup} of THREADS loops that
 * both accepts and serves (the one server channel sits on one loop, accepted channels are spread
 * round-robin over all of them), pooled direct buffers, {@code TCP_NODELAY}, writes flushed once
 * per read batch ({@code channelReadComplete}). Run it with {@code --enable-native-access=ALL-UNNAMED}
 * (JNI) and {@code --sun-misc-unsafe-memory-access=allow}: without the latter, Netty turns its
 * {@code Unsafe} paths off on JDK 24+ to avoid the JVM's warning, which its maintainers say costs
 * performance. Prints the ready line of {@code CONTRACTS.md} with {@code example=netty-http} or
 * {@code netty-echo}, and exits 0 on SIGINT or SIGTERM after closing the loops.
 */
public final class NettyServer {
    /** The limits of Atoll's example ({@code HttpLimits.DEFAULTS}), so both refuse the same requests. */
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 8192;

    private NettyServer() { }

    /** The native transports compared. */
    enum Transport {
        IO_URING(DriverKind.IO_URING, IoUringIoHandler::newFactory, IoUringServerSocketChannel.class),
        EPOLL(DriverKind.EPOLL, EpollIoHandler::newFactory, EpollServerSocketChannel.class);

        final DriverKind kind;
        final Supplier<IoHandlerFactory> handlers;
        final Class<? extends ServerChannel> serverChannel;

        Transport(DriverKind kind, Supplier<IoHandlerFactory> handlers, Class<? extends ServerChannel> serverChannel) {
            this.kind = kind;
            this.handlers = handlers;
            this.serverChannel = serverChannel;
        }

        void ensureAvailable() {
            Throwable cause = this == IO_URING ? IoUring.unavailabilityCause() : Epoll.unavailabilityCause();
            if (cause != null) {
                throw new IllegalStateException("Netty's " + kind.displayName() + " transport is unavailable: " + cause, cause);
            }
        }

        static Transport of(String name) {
            return switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "io_uring" -> IO_URING;
                case "epoll" -> EPOLL;
                default -> throw new IllegalArgumentException("transport io_uring or epoll, not " + name);
            };
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 5 || !(args[0].equals("http") || args[0].equals("echo"))) {
            System.err.println("Usage: NettyServer http|echo io_uring|epoll THREADS [HOST] [PORT]");
            System.exit(2);
        }
        boolean http = args[0].equals("http");
        Transport transport = Transport.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        String host = args.length > 3 ? args[3] : "127.0.0.1";
        int port = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        transport.ensureAvailable();

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());

        ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.handlers.get());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel)
                    .option(ChannelOption.SO_BACKLOG, 8192)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.ALLOCATOR, allocator)
                    .childOption(ChannelOption.ALLOCATOR, allocator)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            if (http) {
                                channel.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                        .setMaxHeaderSize(MAX_HEADER_SIZE)
                                        .setValidateHeaders(false)));
                                channel.pipeline().addLast(new NettyHttpHandler());
                            } else {
                                channel.pipeline().addLast(new NettyEchoHandler());
                            }
                        }
                    })
                    .bind(host, port).sync().channel();
            int bound = ((InetSocketAddress) server.localAddress()).getPort();
            System.err.printf("netty %s: %d event loops (%s, one server channel, children round-robin), allocator %s,"
                            + " TCP_NODELAY, flush on read complete, Unsafe %s%n",
                    args[0], threads, transport.kind.displayName(), allocator.getClass().getSimpleName(),
                    PlatformDependent.hasUnsafe() ? "in use" : "off (" + PlatformDependent.getUnsafeUnavailabilityCause() + ")");
            ReadyLine.print("netty-" + args[0], host, bound, transport.kind, threads);
            stop.await();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }
}
