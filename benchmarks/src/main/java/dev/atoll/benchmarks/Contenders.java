package dev.atoll.benchmarks;

import dev.atoll.benchmarks.netty.NettyServer;
import dev.atoll.config.DriverKind;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers a peer comparison runs side by side, all started before the first measurement and
 * kept until the last: Atoll's example ({@code Examples NAME --port 0}, its shard count {@code auto})
 * on each driver this machine runs ({@code --driver io_uring} and {@code --driver epoll}), and Netty on
 * io_uring and on epoll with as many event loops as Atoll has shards. Until an Atoll example exists,
 * the comparison runs with the peers alone and says so.
 */
final class Contenders implements AutoCloseable {
    /**
     * Atoll's configuration for these runs: shards not pinned. The load generator shares the CPUs, and a
     * pinned shard cannot move away from its threads: on the project's 2-CPU machine /json's p99 went
     * from 27-54 ms pinned to 5-7 ms unpinned, at the same throughput. Netty's loops are not pinned either.
     */
    static final List<String> ATOLL_PROPERTIES = List.of("-Datoll.shards.pin=false");

    /** The drivers Atoll's example runs on, each against Netty's transport of the same name. */
    private static final List<DriverKind> ATOLL_DRIVERS = List.of(DriverKind.IO_URING, DriverKind.EPOLL);

    private final List<ServerProcess> atoll;
    private final List<ServerProcess> netty;
    private final int shards;

    private Contenders(List<ServerProcess> atoll, List<ServerProcess> netty, int shards) {
        this.atoll = atoll;
        this.netty = netty;
        this.shards = shards;
    }

    /** Starts Atoll's example {@code name} and Netty's servers of the same protocol ({@code http} or {@code echo}). */
    static Contenders start(String name) throws IOException, InterruptedException {
        List<ServerProcess> atoll = new ArrayList<>();
        List<ServerProcess> netty = new ArrayList<>();
        try {
            for (DriverKind driver : ATOLL_DRIVERS) {
                try {
                    Drivers.choose(driver, Platform.current());
                } catch (DriverUnavailableException e) {
                    System.out.println("NOTE: Atoll's " + driver.displayName() + " driver cannot run here, left out: "
                            + e.getMessage());
                    continue;
                }
                try {
                    atoll.add(ServerProcess.start("atoll", ATOLL_PROPERTIES, "dev.atoll.examples.Examples",
                            List.of(name, "--port", "0", "--driver", driver.displayName())));
                } catch (ServerProcess.StartFailure e) {
                    if (!e.output().contains("No example named '" + name + "'")) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                    System.out.println("NOTE: Atoll has no '" + name + "' example in this build: measuring the peers only, no ratios.");
                    break;
                }
            }
            int shards = atoll.isEmpty() ? Runtime.getRuntime().availableProcessors() : atoll.getFirst().shards();
            for (String transport : List.of("io_uring", "epoll")) {
                try {
                    netty.add(ServerProcess.start("netty-" + transport, List.of(), NettyServer.class.getName(),
                            List.of(name, transport, Integer.toString(shards))));
                } catch (ServerProcess.StartFailure e) {
                    System.out.println("NOTE: Netty's " + transport + " server did not start, left out: " + e.getMessage());
                }
            }
            if (netty.isEmpty()) {
                throw new IllegalStateException("no Netty transport started: nothing to compare with");
            }
            return new Contenders(atoll, netty, shards);
        } catch (RuntimeException | IOException e) {
            for (ServerProcess server : netty) {
                server.close();
            }
            for (ServerProcess server : atoll) {
                server.close();
            }
            throw e;
        }
    }

    /** Atoll's servers, one per driver that runs here; none when its example does not exist. */
    List<ServerProcess> atoll() {
        return atoll;
    }

    /**
     * The Netty server an Atoll server is compared with: the one on the same transport (io_uring with
     * io_uring, epoll with epoll), else Netty's first.
     */
    ServerProcess peerOf(ServerProcess atollServer) {
        return netty.stream().filter(n -> n.impl().equals("netty-" + atollServer.driver())).findFirst()
                .orElse(netty.getFirst());
    }

    /** The name of an Atoll server in reports: {@code atoll-epoll}, after its driver. */
    static String implName(ServerProcess server) {
        return server.impl().equals("atoll") ? "atoll-" + server.driver() : server.impl();
    }

    List<ServerProcess> netty() {
        return netty;
    }

    /** Every server, Atoll first. */
    List<ServerProcess> all() {
        List<ServerProcess> all = new ArrayList<>(atoll);
        all.addAll(netty);
        return all;
    }

    /** Atoll's shard count, which is also Netty's event-loop count. */
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
        for (ServerProcess server : netty) {
            server.close();
        }
        for (ServerProcess server : atoll) {
            int status = server.stop();
            if (status != 0) {
                throw new IllegalStateException("Atoll's " + server.driver() + " server exited " + status
                        + " on SIGTERM (expected 0)");
            }
        }
    }
}
