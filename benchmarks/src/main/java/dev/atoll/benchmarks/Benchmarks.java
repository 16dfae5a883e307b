package dev.atoll.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The entry point of {@code ./atoll bench}: lists the benchmarks, or runs the one named by the first
 * argument. To add a benchmark, add one line to {@link #ALL}.
 */
public final class Benchmarks {

    /** Every benchmark, in the order the list shows them. */
    static final List<Benchmark> ALL = List.of(
            new Benchmark("mesh", "cross-shard messaging: mesh vs raw JCTools SPSC vs a ThreadPoolExecutor hand-off,"
                    + " round-trip latency asleep and busy, wake syscalls", MeshBench::run),
            new Benchmark("http", "HTTP/1.1 with wrk: Atoll's http example vs stock Netty 4.2 and nginx (/plaintext),"
                    + " each peer checked against a plain NIO reference; /plaintext without and with pipelining, /json;"
                    + " requests/s, p99, CPU per request", HttpBench::run),
            new Benchmark("echo", "TCP echo round trips with Atoll's own load generator: Atoll's echo example vs Netty 4.2's"
                    + " echo example, checked against a plain NIO reference; round trips/s, p99, CPU per round trip",
                    EchoBench::run),
            new Benchmark("kv", "Redis protocol with redis-benchmark: Atoll's kv example vs redis-server 7, without and"
                    + " with -P 16: redis-benchmark's default suite per core (taskset), SET and GET unplaced; requests/s,"
                    + " p50/p99, CPU seconds", KvBench::run),
            new Benchmark("kv-memory", "memory per key of Atoll's kv example (1 shard) vs redis-server 7: 1 M small"
                    + " strings and 1 M small hashes; Redis's used_memory against Atoll's live heap objects and heap after GC",
                    KvMemoryBench::run),
            new Benchmark("io-alloc", "JMH -prof gc: loopback TCP round trips on one shard and the bytes each allocates",
                    IoAllocBench::run),
            new Benchmark("uring", "io_uring: NOP throughput, cross-shard wake latency (MSG_RING vs eventfd), 4 KiB random"
                    + " reads of a 1 GiB file, AsyncFile vs FileChannel vs fio, page cache warm and O_DIRECT",
                    UringBench::run),
            new Benchmark("actors", "actors vs Apache Pekko classic and typed: ping-pong, Savina count/threadring/fjthrput,"
                    + " ask latency, heap per idle actor", ActorsBench::run),
            new Benchmark("remote", "two node JVMs on loopback, one thread each, Atoll cluster vs Pekko Artery TCP:"
                    + " tell throughput, ask p50/p99", RemoteBench::run));

    private Benchmarks() { }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.print(list());
            return;
        }
        Optional<Benchmark> benchmark = ALL.stream().filter(b -> b.name().equals(args[0])).findFirst();
        if (benchmark.isEmpty()) {
            System.err.println("No benchmark named '" + args[0] + "'.");
            System.err.print(list());
            System.exit(2);
        }
        BenchArgs parsed;
        try {
            parsed = BenchArgs.parse(args[0], Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.err.println("Usage: ./atoll bench " + args[0] + " [--json FILE] [--quick]");
            System.exit(2);
            return;
        }
        benchmark.get().main().run(parsed);
    }

    /** The list as {@code ./atoll bench} prints it: name and description, aligned. */
    static String list() {
        if (ALL.isEmpty()) {
            return "No benchmarks yet.\n";
        }
        int width = ALL.stream().mapToInt(b -> b.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder("Benchmarks (./atoll bench NAME [--json FILE] [--quick]):\n");
        for (Benchmark b : ALL) {
            out.append("  ").append(String.format("%-" + width + "s", b.name())).append("  ")
                    .append(b.description()).append('\n');
        }
        return out.toString();
    }
}
