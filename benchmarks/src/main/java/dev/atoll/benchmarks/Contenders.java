package dev.atoll.benchmarks;

import dev.atoll.benchmarks.netty.NettyServer;
import dev.atoll.benchmarks.reference.NioReferenceServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The servers a peer comparison runs side by side, all started before the first measurement and kept
 * until the last, each with its configuration and the reason for it, printed before the run and kept
 * in its report:
 * <ul>
 *   <li>Atoll's example ({@code Examples NAME --port 0}) on its default driver with its shard count
 *       {@code auto}, shards unpinned; or, placed per core ({@link Placement}), with one shard, pinned
 *       inside the one CPU {@code taskset} gives every server;</li>
 *   <li>the peers, as their users run them: Netty 4.2 ({@link NettyServer}) with as many event loops
 *       as Atoll has shards and, for HTTP, nginx ({@link Nginx}) with as many workers, when installed;</li>
 *   <li>the reference of the peer checks ({@link NioReferenceServer}): plain JDK NIO with canned
 *       answers, the same number of threads.</li>
 * </ul>
 * Placed, every server's command begins with the placement's {@code taskset -c CPU}.
 */
final class Contenders implements AutoCloseable {
    /**
     * Atoll's configuration for these runs: shards not pinned. The load generator shares the CPUs, and a
     * pinned shard cannot move away from its threads: on the project's 2-CPU machine /json's p99 went
     * from 27-54 ms pinned to 5-7 ms unpinned, at the same throughput. No peer is pinned either.
     */
    static final List<String> ATOLL_PROPERTIES = List.of("-Datoll.shards.pin=false");

    /** What a contender is in the comparison. */
    enum Role {
        /** Atoll's example: what is measured. */
        ATOLL,
        /** A peer Atoll is compared with; checked against the reference before the comparison counts. */
        PEER,
        /** What the peers are checked against; never compared with Atoll. */
        REFERENCE
    }

    /**
     * One server of the comparison.
     *
     * @param impl          its name in reports, e.g. {@code netty-io_uring}
     * @param configuration how it runs, as the report prints it
     * @param why           where that configuration comes from
     */
    record Contender(String impl, Role role, ServerProcess server, String configuration, String why) { }

    private final List<Contender> all;
    private final int shards;

    Contenders(List<Contender> all, int shards) {
        this.all = all;
        this.shards = shards;
    }

    /**
     * Starts Atoll's example {@code name} ({@code http} or {@code echo}), its peers and the reference, unplaced.
     * nginx joins the HTTP comparison when it is installed; otherwise a note says how to install it.
     */
    static Contenders start(String name) throws IOException, InterruptedException {
        return start(name, Placement.unplaced());
    }

    /**
     * As {@link #start(String)}, placed: per core, every server under {@code taskset} on the placement's
     * server CPU with one shard, event loop, worker or thread, and Atoll's shard pinned inside that CPU.
     */
    static Contenders start(String name, Placement placement) throws IOException, InterruptedException {
        List<Contender> started = new ArrayList<>();
        try {
            List<String> atollArgs = new ArrayList<>(List.of(name, "--port", "0"));
            if (placement.placed()) {
                atollArgs.addAll(List.of("--shards", Integer.toString(Placement.PER_CORE_THREADS)));
            }
            List<String> atollProperties = atollProperties(placement);
            ServerProcess atoll = startJava("atoll" + placement.suffix(), placement, atollProperties,
                    "dev.atoll.examples.Examples", atollArgs);
            int shards = atoll.shards();
            started.add(new Contender("atoll-" + atoll.driver() + placement.suffix(), Role.ATOLL, atoll,
                    atollConfiguration(name, atoll.driver(), shards, placement), placement.placed() ? ATOLL_PER_CORE_WHY
                    : "Atoll's defaults but for pinning: the load generator shares the CPUs"));
            ServerProcess netty = startJava("netty" + placement.suffix(), placement, NettyServer.JVM_FLAGS,
                    NettyServer.class.getName(), List.of(name, Integer.toString(shards)));
            started.add(new Contender("netty-" + netty.driver() + placement.suffix(), Role.PEER, netty,
                    nettyConfiguration(name, netty.driver(), shards, placement), NETTY_WHY));
            if (name.equals("http")) {
                Optional<Path> nginx = Nginx.locate();
                if (nginx.isPresent()) {
                    String version = Nginx.version(nginx.get());
                    started.add(new Contender("nginx" + placement.suffix(), Role.PEER, startNginx(nginx.get(), shards, placement),
                            nginxConfiguration(version, shards, placement), NGINX_WHY));
                } else {
                    System.out.println("NOTE: " + Nginx.missingNote());
                }
            }
            ServerProcess reference = startJava("nio-reference" + placement.suffix(), placement, List.of(),
                    NioReferenceServer.class.getName(), List.of(name, Integer.toString(shards)));
            started.add(new Contender("nio-reference" + placement.suffix(), Role.REFERENCE, reference,
                    referenceConfiguration(name, shards, placement),
                    "the floor a peer must reach before a comparison with it counts"));
            return new Contenders(List.copyOf(started), shards);
        } catch (RuntimeException | IOException e) {
            for (Contender contender : started) {
                contender.server().close();
            }
            throw e;
        }
    }

    /** Atoll's system properties: its shards unpinned, or, per core, its one shard pinned inside the server's CPU. */
    static List<String> atollProperties(Placement placement) {
        return placement.placed() ? List.of("-Datoll.shards.pin=true") : ATOLL_PROPERTIES;
    }

    static final String ATOLL_PER_CORE_WHY = "Atoll's defaults for a server that has its CPU to itself: one shard,"
            + " pinned (atoll.shards.pin's default); the CPU is the one taskset gives the process, the load generator"
            + " is on another";

    private static ServerProcess startJava(String impl, Placement placement, List<String> properties, String mainClass,
                                           List<String> args) throws IOException {
        List<String> command = new ArrayList<>(placement.serverPrefix());
        command.addAll(ServerProcess.javaCommand(properties, mainClass, args));
        try {
            return ServerProcess.start(impl, command, ServerProcess::readyLineFields);
        } catch (ServerProcess.StartFailure e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static ServerProcess startNginx(Path executable, int workers, Placement placement) throws IOException {
        try {
            return Nginx.start(placement.serverPrefix(), executable, workers, "127.0.0.1");
        } catch (ServerProcess.StartFailure e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static String atollConfiguration(String example, String driver, int shards, Placement placement) {
        return "Atoll's " + example + " example, driver auto (" + driver + "), " + shards + " shard"
                + (placement.placed() ? " (--shards " + shards + "), " : "s (auto), ") + placement.serverNote() + ", "
                + String.join(" ", atollProperties(placement)) + ", JVM " + String.join(" ", ServerProcess.jvmFlags());
    }

    static String nettyConfiguration(String protocol, String transport, int loops, Placement placement) {
        String pipeline = protocol.equals("http")
                ? "HttpServerCodec (header validation off) + HttpServerKeepAliveHandler + a handler writing one"
                + " DefaultFullHttpResponse per request (/json: Jackson streaming, one generator per event loop, into a pooled"
                + " direct buffer), flush in channelReadComplete"
                : "Netty's echo example handler: write on read, flush in channelReadComplete";
        return "Netty 4.2.18.Final, " + transport + " transport (io_uring when available, else epoll), " + loops
                + " event loop" + (loops == 1 ? "" : "s") + " (= Atoll's shards) in one group that accepts and serves, " + pipeline
                + ", pooled direct buffers, TCP_NODELAY, leak detection off, " + placement.serverNote() + ", JVM " + String.join(" ", NettyServer.JVM_FLAGS);
    }

    static final String NETTY_WHY = "Netty's own examples (HttpHelloWorldServer: HttpServerCodec, a FullHttpResponse per"
            + " request, flush on channelReadComplete; EchoServer: write on read, flush on read complete) and TechEmpower's"
            + " Netty entry (HelloWebServer: native transport, one event loop group, pooled allocator; its decoder built"
            + " with header validation off; run_netty.sh: -XX:+UseParallelGC, --sun-misc-unsafe-memory-access=allow,"
            + " -Dio.netty.buffer.checkBounds=false, -Dio.netty.buffer.checkAccessible=false; leak detector disabled)";

    static String nginxConfiguration(String version, int workers, Placement placement) {
        return version + " (Debian " + Nginx.PACKAGE + "), " + workers + " worker process" + (workers == 1 ? "" : "es")
                + " (= Atoll's shards), " + placement.serverNote() + " (as Atoll's shards here), epoll, location = /plaintext { return 200 \"Hello, World!\"; } with"
                + " default_type text/plain, access_log off, keepalive_requests 300000, tcp_nodelay on, listen reuseport";
    }

    static final String NGINX_WHY = "TechEmpower's nginx entry (nginx.conf: return 200 \"Hello, World!\", access_log off,"
            + " keepalive_requests 300000, tcp_nodelay on, reuseport, installed from the distribution's nginx-light);"
            + " there worker_processes auto and worker_cpu_affinity auto, here as many workers as Atoll's shards,"
            + " confined where Atoll's shards are (per core: the same CPU; unplaced: nowhere)";

    static String referenceConfiguration(String protocol, int threads, Placement placement) {
        return "plain JDK NIO (epoll), " + threads + " selector thread" + (threads == 1 ? "" : "s") + ", "
                + placement.serverNote() + ", "
                + (protocol.equals("http") ? "a canned response per request found by its blank line (nothing parsed,"
                + " no JSON serialized)" : "writes back what it reads") + ", JVM " + String.join(" ", ServerProcess.jvmFlags());
    }

    /** Every server, Atoll first, then the peers, then the reference. */
    List<Contender> all() {
        return all;
    }

    /** The one Atoll server. */
    Contender atoll() {
        return all.stream().filter(c -> c.role() == Role.ATOLL).findFirst().orElseThrow();
    }

    List<Contender> peers() {
        return all.stream().filter(c -> c.role() == Role.PEER).toList();
    }

    /** The reference the peers are checked against. */
    Contender reference() {
        return all.stream().filter(c -> c.role() == Role.REFERENCE).findFirst().orElseThrow();
    }

    /** Atoll's shard count, which is also each peer's number of event loops or workers. */
    int shards() {
        return shards;
    }

    /**
     * Stops every server with SIGTERM.
     *
     * @throws IllegalStateException when Atoll's server did not exit 0, as {@code CONTRACTS.md} requires
     */
    @Override
    public void close() throws InterruptedException {
        Contender atoll = null;
        for (Contender contender : all) {
            if (contender.role() == Role.ATOLL) {
                atoll = contender;
            } else {
                contender.server().close();
            }
        }
        if (atoll != null) {
            int status = atoll.server().stop();
            if (status != 0) {
                throw new IllegalStateException("Atoll's " + atoll.server().driver() + " server exited " + status
                        + " on SIGTERM (expected 0)");
            }
        }
    }
}
