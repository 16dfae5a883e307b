package dev.atoll.benchmarks;

import dev.atoll.benchmarks.Contenders.Contender;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The per-core placement of {@code ./atoll bench http}: each server confined to one CPU with one thread
 * of work, the load generator to another. The live test reads what the kernel says of the started
 * servers ({@code /proc/PID/task/TID/status}, {@code comm}), not what the harness meant to do.
 */
class PerCorePlacementTest {

    @Test
    void perCoreConfinesServersAndLoadToTwoDifferentCpus() {
        Placement perCore = Placement.perCore(1, 0);
        assertEquals(List.of("taskset", "-c", "1"), perCore.serverPrefix());
        assertEquals(List.of("taskset", "-c", "0"), perCore.clientPrefix());
        assertTrue(perCore.placed());
        assertEquals(List.of(), Placement.unplaced().serverPrefix());
        assertEquals(List.of(), Placement.unplaced().clientPrefix());
        assertThrows(IllegalArgumentException.class, () -> Placement.perCore(1, 1), "the load generator needs a CPU of its own");
        assertEquals(List.of("-Datoll.shards.pin=true"), Contenders.atollProperties(perCore));
        assertEquals(List.of("-Datoll.shards.pin=false"), Contenders.atollProperties(Placement.unplaced()));
    }

    @Test
    void wrkRunsUnderThePlacementsPrefixWithTheThreadsItIsGiven() {
        Wrk wrk = new Wrk("/usr/bin/wrk", Path.of("/tmp/pipeline.lua"));
        List<String> command = wrk.command(Placement.perCore(1, 0).clientPrefix(), "http://127.0.0.1:1/plaintext", 1, 64, 7, 16);
        assertEquals(List.of("taskset", "-c", "0", "/usr/bin/wrk", "-t", "1", "-c", "64", "-d", "7s", "--latency"),
                command.subList(0, 11));
        assertEquals(List.of("-s", "/tmp/pipeline.lua", "http://127.0.0.1:1/plaintext", "--", "16"),
                command.subList(command.size() - 5, command.size()));
        assertEquals("/usr/bin/wrk", wrk.command(List.of(), "http://127.0.0.1:1/", 2, 64, 7, 1).getFirst());
    }

    @Test
    void thePrintedConfigurationsSayOneThreadOfWorkAndTheCpu() {
        Placement perCore = Placement.perCore(1, 0);
        String netty = Contenders.nettyConfiguration("http", "io_uring", 1, perCore);
        assertTrue(netty.contains("1 event loop (= Atoll's shards)") && netty.contains("taskset -c 1"), netty);
        String nginx = Contenders.nginxConfiguration("nginx/1.22.1", 1, perCore);
        assertTrue(nginx.contains("1 worker process (") && nginx.contains("taskset -c 1"), nginx);
        String atoll = Contenders.atollConfiguration("http", "io_uring", 1, perCore);
        assertTrue(atoll.contains("1 shard (--shards 1)") && atoll.contains("taskset -c 1")
                && atoll.contains("-Datoll.shards.pin=true"), atoll);
        String reference = Contenders.referenceConfiguration("http", 1, perCore);
        assertTrue(reference.contains("1 selector thread,") && reference.contains("taskset -c 1"), reference);
        assertTrue(Contenders.nettyConfiguration("http", "io_uring", 2, Placement.unplaced()).contains("not pinned"));
    }

    /**
     * Starts the four servers per core and checks, from the kernel's side, that every thread of every
     * server process (nginx's workers included) may run only on the server's CPU, and that each runs
     * one thread (or process) of work: Atoll one shard, Netty one event loop, nginx one worker, the
     * reference one selector loop. Fails if the placement's prefix is dropped anywhere.
     */
    @Test
    void everyServerRunsOnTheServersCpuWithOneThreadOfWork() throws Exception {
        List<Integer> cpus = CpuList.allowed();
        assumeTrue(cpus.size() >= 2, "per core needs 2 CPUs; this process may use " + cpus);
        Placement perCore = Placement.perCoreOnThisMachine().orElseThrow();
        String cpu = Integer.toString(perCore.serverCpu());
        try (Contenders servers = Contenders.start("http", perCore)) {
            assertEquals(1, servers.shards());
            Map<String, String> workers = Map.of("atoll", "atoll-shard-", "netty", "multiThreadIoEv", "nio-reference", "nio-loop-");
            for (Contender server : servers.all()) {
                assertTrue(server.impl().endsWith("-pinned"), server.impl());
                assertEquals(1, server.server().shards(), server.impl());
                List<ProcessHandle> processes = Stream.concat(Stream.of(ProcessHandle.of(server.server().pid()).orElseThrow()),
                        ProcessHandle.of(server.server().pid()).orElseThrow().descendants()).toList();
                List<String> threads = new ArrayList<>();
                for (ProcessHandle process : processes) {
                    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
                        for (Path task : tasks.toList()) {
                            assertEquals(cpu, allowedCpus(task), server.impl() + " thread " + comm(task) + " (" + task + ")");
                            threads.add(comm(task));
                        }
                    }
                }
                if (server.impl().startsWith("nginx")) {
                    List<String> children = ProcessHandle.of(server.server().pid()).orElseThrow().children()
                            .map(p -> commandLine(p.pid())).toList();
                    assertEquals(1, children.stream().filter(c -> c.contains("worker process")).count(), children.toString());
                } else {
                    String prefix = workers.entrySet().stream().filter(e -> server.impl().startsWith(e.getKey()))
                            .map(Map.Entry::getValue).findFirst().orElseThrow();
                    assertEquals(1, threads.stream().filter(t -> t.startsWith(prefix)).count(),
                            server.impl() + "'s threads: " + threads.stream().sorted().collect(Collectors.joining(", ")));
                }
            }
        }
    }

    private static String allowedCpus(Path task) throws IOException {
        return Files.readAllLines(task.resolve("status")).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring("Cpus_allowed_list:".length()).trim()).findFirst().orElseThrow();
    }

    /** What the process shows as its command line (nginx rewrites its workers' to {@code nginx: worker process}). */
    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ').trim();
        } catch (IOException processEnded) {
            return "?";
        }
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException threadEnded) {
            return "?";
        }
    }
}
