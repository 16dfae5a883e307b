package dev.atoll.benchmarks.netty;

import dev.atoll.config.DriverKind;
import dev.atoll.examples.ReadyLine;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import sun.misc.Signal;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Netty 4.2 peer of the HTTP and echo examples, as Netty's users run it for speed:
 * {@code NettyServer http|echo THREADS [HOST] [PORT]}.
 *
 * <ul>
 *   <li>Transport: io_uring when Netty says it is available, else epoll (Netty's native transports;
 *       TechEmpower's Netty entry takes the best native one the machine has).</li>
 *   <li>One {@link MultiThreadIoEventLoopGroup} of THREADS loops that both accepts and serves, as
 *       TechEmpower's entry does; the harness gives it as many loops as Atoll has shards.</li>
 *   <li>HTTP: Netty's own codec and nothing hand-rolled: {@link HttpServerCodec} (header validation
 *       off, as TechEmpower's entry builds its decoder), {@link HttpServerKeepAliveHandler} for the
 *       {@code Connection} rules, and {@link NettyHttpHandler}, which writes a
 *       {@code DefaultFullHttpResponse} per request and flushes in {@code channelReadComplete}.</li>
 *   <li>Echo: {@link NettyEchoHandler}, Netty's own echo example (write on read, flush on read complete).</li>
 *   <li>Pooled direct buffers, {@code TCP_NODELAY}, leak detection off (TechEmpower's entry).</li>
 * </ul>
 *
 * <p>Run it with {@link #JVM_FLAGS}, the JVM flags of TechEmpower's {@code run_netty.sh}. Prints the
 * ready line of {@code CONTRACTS.md} with {@code example=netty-http} or {@code netty-echo} and the
 * transport in use, and exits 0 on SIGINT or SIGTERM after closing the loops.
 */
public final class NettyServer {
    /**
     * The JVM flags Netty's TechEmpower entry runs with ({@code run_netty.sh}): the parallel collector,
     * {@code Unsafe} allowed (on JDK 24+ Netty turns its {@code Unsafe} paths off otherwise), native
     * access for its JNI transports, and the buffers' bounds and accessibility checks off.
     */
    public static final List<String> JVM_FLAGS = List.of(
            "-XX:+UseParallelGC",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "-Dio.netty.buffer.checkBounds=false",
            "-Dio.netty.buffer.checkAccessible=false");

    private NettyServer() { }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 4 || !(args[0].equals("http") || args[0].equals("echo"))) {
            System.err.println("Usage: NettyServer http|echo THREADS [HOST] [PORT]");
            System.exit(2);
        }
        boolean http = args[0].equals("http");
        int threads = Integer.parseInt(args[1]);
        String host = args.length > 2 ? args[2] : "127.0.0.1";
        int port = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);

        boolean uring = IoUring.isAvailable();
        if (!uring && !Epoll.isAvailable()) {
            throw new IllegalStateException("neither of Netty's native transports runs here: io_uring ("
                    + IoUring.unavailabilityCause() + "), epoll (" + Epoll.unavailabilityCause() + ")");
        }
        IoHandlerFactory handlers = uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class;
        DriverKind transport = uring ? DriverKind.IO_URING : DriverKind.EPOLL;

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, handlers);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(serverChannel)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            if (http) {
                                channel.pipeline().addLast(
                                        new HttpServerCodec(new HttpDecoderConfig().setValidateHeaders(false)),
                                        new HttpServerKeepAliveHandler(),
                                        new NettyHttpHandler());
                            } else {
                                channel.pipeline().addLast(NettyEchoHandler.INSTANCE);
                            }
                        }
                    })
                    .bind(host, port).sync().channel();
            int bound = ((InetSocketAddress) server.localAddress()).getPort();
            System.err.printf("netty %s: %d event loops on %s, HttpServerCodec + HttpServerKeepAliveHandler, pooled direct"
                            + " buffers, TCP_NODELAY, flush on read complete, Unsafe %s%n",
                    args[0], threads, transport.displayName(),
                    PlatformDependent.hasUnsafe() ? "in use" : "off (" + PlatformDependent.getUnsafeUnavailabilityCause() + ")");
            ReadyLine.print("netty-" + args[0], host, bound, transport, threads);
            stop.await();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }
}
