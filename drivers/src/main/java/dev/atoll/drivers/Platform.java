package dev.atoll.drivers;

import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * Facts about the machine and this process that the runtime sizes itself by: OS, architecture, page
 * and cache-line size, and the CPUs this process may use (Linux: affinity mask capped by the cgroup
 * quota; macOS: the performance cores). Immutable; {@link #current()} probes once.
 */
public final class Platform {
    private final Os os;
    private final Arch arch;
    private final int pageSize;
    private final int cacheLineSize;
    private final List<Integer> usableCpus;
    private final String cpuSource;
    private final OptionalInt performanceCores;
    private final OptionalInt efficiencyCores;

    private Platform(Os os, Arch arch, int pageSize, int cacheLineSize, List<Integer> usableCpus, String cpuSource,
                     OptionalInt performanceCores, OptionalInt efficiencyCores) {
        if (usableCpus.isEmpty()) {
            throw new IllegalArgumentException("a platform needs at least one usable CPU");
        }
        this.os = os;
        this.arch = arch;
        this.pageSize = pageSize;
        this.cacheLineSize = cacheLineSize;
        this.usableCpus = List.copyOf(usableCpus);
        this.cpuSource = cpuSource;
        this.performanceCores = performanceCores;
        this.efficiencyCores = efficiencyCores;
    }

    /** Probed once, on first use. Linux reads the affinity of the process (its main thread), not of the caller. */
    public static Platform current() {
        return Probed.CURRENT;
    }

    /**
     * A platform described by hand (tests, or a runtime that wants to use fewer CPUs).
     *
     * @param cpuSource where {@code usableCpus} came from, for {@link #describe()}
     */
    public static Platform of(Os os, Arch arch, int pageSize, int cacheLineSize, List<Integer> usableCpus,
                              String cpuSource, OptionalInt performanceCores, OptionalInt efficiencyCores) {
        return new Platform(os, arch, pageSize, cacheLineSize, usableCpus, cpuSource, performanceCores,
                efficiencyCores);
    }

    /** True when this JVM runs on Linux. */
    public static boolean isLinux() {
        return Os.current() == Os.LINUX;
    }

    public Os os() {
        return os;
    }

    public Arch arch() {
        return arch;
    }

    public int pageSize() {
        return pageSize;
    }

    /** The L1 data cache line; padding between fields of different writers should use twice the usual 64 (128). */
    public int cacheLineSize() {
        return cacheLineSize;
    }

    /** The CPU ids shards may run on, sorted (macOS: 0..n-1, one per performance core). */
    public List<Integer> usableCpus() {
        return usableCpus;
    }

    public int usableCpuCount() {
        return usableCpus.size();
    }

    /** Performance cores, where the machine has more than one core type (Apple Silicon). */
    public OptionalInt performanceCores() {
        return performanceCores;
    }

    /** Efficiency cores, where the machine has more than one core type (Apple Silicon). */
    public OptionalInt efficiencyCores() {
        return efficiencyCores;
    }

    /** One line for logs: {@code linux x86_64, 2 usable CPUs [0, 1] (affinity 2, cgroup quota none), page 4096, cache line 64}. */
    public String describe() {
        return os.displayName() + " " + arch.displayName() + ", " + usableCpus.size() + " usable CPUs " + usableCpus
                + " (" + cpuSource + "), page " + pageSize + ", cache line " + cacheLineSize;
    }

    @Override
    public String toString() {
        return describe();
    }

    private static final class Probed {
        static final Platform CURRENT = switch (Os.current()) {
            case LINUX -> LinuxProbe.probe();
            case MACOS -> MacosProbe.probe();
            case OTHER -> fallback();
        };

        private static Platform fallback() {
            int n = Runtime.getRuntime().availableProcessors();
            return new Platform(Os.OTHER, Arch.current(), 4096, 64, range(n), "availableProcessors " + n + ", not probed",
                    OptionalInt.empty(), OptionalInt.empty());
        }
    }

    static List<Integer> range(int n) {
        return IntStream.range(0, Math.max(1, n)).boxed().toList();
    }
}
