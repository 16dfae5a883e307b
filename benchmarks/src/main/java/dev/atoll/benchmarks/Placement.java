package dev.atoll.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the servers of a peer comparison and its load generator run.
 * <ul>
 *   <li>{@link #unplaced()}: nothing placed; Atoll with its shard count {@code auto}, each peer with as many
 *       event loops, workers or threads, all floating over the CPUs they share with the load generator;</li>
 *   <li>{@link #perCore}: every server confined to one CPU with {@code taskset} and run with one shard, event
 *       loop, worker or thread (Atoll's shard pinned inside that CPU), the load generator confined to another:
 *       the comparison {@code ./atoll bench kv} makes with redis-server, where no server competes with the
 *       load generator for a CPU.</li>
 * </ul>
 *
 * @param name         how reports name the placement, e.g. {@code per core}
 * @param suffix       what the servers' names get, e.g. {@code -pinned}, so the rows of two placements differ
 * @param serverCpu    the CPU of every server; -1 when unplaced
 * @param clientCpu    the CPU of the load generator; -1 when unplaced
 */
record Placement(String name, String suffix, int serverCpu, int clientCpu) {

    /** Nothing placed. */
    static Placement unplaced() {
        return new Placement("unplaced", "", -1, -1);
    }

    /** Each server on {@code serverCpu} with one thread of work, the load generator on {@code clientCpu}. */
    static Placement perCore(int serverCpu, int clientCpu) {
        if (serverCpu < 0 || clientCpu < 0 || serverCpu == clientCpu) {
            throw new IllegalArgumentException("per core needs two different CPUs, not " + serverCpu + " and " + clientCpu);
        }
        return new Placement("per core", "-pinned", serverCpu, clientCpu);
    }

    /** Per core on the last two CPUs this process may use (the server on the last); empty with fewer than 2. */
    static Optional<Placement> perCoreOnThisMachine() throws IOException {
        List<Integer> cpus = CpuList.allowed();
        return cpus.size() < 2 ? Optional.empty()
                : Optional.of(perCore(cpus.get(cpus.size() - 1), cpus.get(cpus.size() - 2)));
    }

    boolean placed() {
        return serverCpu >= 0;
    }

    /** What goes before a server's command: {@code taskset -c CPU}, or nothing. */
    List<String> serverPrefix() {
        return prefix(serverCpu);
    }

    /** What goes before the load generator's command. */
    List<String> clientPrefix() {
        return prefix(clientCpu);
    }

    private static List<String> prefix(int cpu) {
        return cpu < 0 ? List.of() : List.of("taskset", "-c", Integer.toString(cpu));
    }

    /** The threads of work each server gets when placed (one); unplaced it is Atoll's shard count. */
    static final int PER_CORE_THREADS = 1;

    /** How the servers run, for a server's configuration line: {@code not pinned} or {@code taskset -c 1}. */
    String serverNote() {
        return placed() ? "confined to CPU " + serverCpu + " (taskset -c " + serverCpu + ")" : "not pinned";
    }

    /** The report's line on placement. */
    String describe() {
        return placed()
                ? "per core: every server under taskset -c " + serverCpu + " with 1 shard / event loop / worker / thread"
                + " (Atoll's shard pinned inside that CPU); the load generator under taskset -c " + clientCpu
                : "none: Atoll's shards, the peers' loops, workers and threads float over the CPUs they share with the"
                + " load generator";
    }
}
