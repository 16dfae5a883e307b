package dev.atoll.benchmarks.reference;

import dev.atoll.config.DriverKind;
import dev.atoll.examples.ReadyLine;
import sun.misc.Signal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;

/**
 * The reference the benchmarks check their peers against: a server with no framework and no
 * protocol work, plain JDK NIO (one {@link java.nio.channels.Selector} thread per loop, which on Linux
 * is epoll), run as {@code NioReferenceServer http|echo THREADS [HOST] [PORT]}. In {@code http} mode it
 * answers every request (found by its blank line, nothing else parsed) with a canned response; in
 * {@code echo} mode it writes back what it reads. A framework doing real work on the same machine in the
 * same run should come near it wherever the system calls dominate; a peer far below it is misconfigured.
 * A blocking acceptor thread deals the connections round-robin to the loops. Prints the ready line of
 * {@code CONTRACTS.md} ({@code example=nio-http} or {@code nio-echo}) and exits 0 on SIGINT or SIGTERM.
 */
public final class NioReferenceServer {

    private NioReferenceServer() { }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 4 || !(args[0].equals("http") || args[0].equals("echo"))) {
            System.err.println("Usage: NioReferenceServer http|echo THREADS [HOST] [PORT]");
            System.exit(2);
        }
        boolean http = args[0].equals("http");
        int threads = Integer.parseInt(args[1]);
        String host = args.length > 2 ? args[2] : "127.0.0.1";
        int port = args.length > 3 ? Integer.parseInt(args[3]) : 0;

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());

        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(host, port), 1024);
        NioLoop[] loops = new NioLoop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new NioLoop(http);
            Thread.ofPlatform().daemon().name("nio-loop-" + i).start(loops[i]);
        }
        Thread.ofPlatform().daemon().name("nio-acceptor").start(() -> {
            for (int next = 0; ; next = (next + 1) % threads) {
                try {
                    SocketChannel channel = server.accept();
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    loops[next].adopt(channel);
                } catch (IOException e) {
                    if (!server.isOpen()) {
                        return;
                    }
                }
            }
        });
        ReadyLine.print("nio-" + args[0], host, ((InetSocketAddress) server.getLocalAddress()).getPort(), DriverKind.EPOLL, threads);
        stop.await();
        server.close();
    }
}
