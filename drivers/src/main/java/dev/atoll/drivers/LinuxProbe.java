package dev.atoll.drivers;

import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.LinuxConstants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Probes a Linux machine for {@link Platform}. */
final class LinuxProbe {
    private static final int DEFAULT_CACHE_LINE = 64;

    private LinuxProbe() {
    }

    static Platform probe() {
        long page = LibC.sysconf(LinuxConstants.SC_PAGESIZE);
        // Ask about the process (its main thread's tid is the pid), not the thread that happens to probe.
        List<Integer> affinity = LinuxAffinity.of((int) ProcessHandle.current().pid());
        OptionalDouble quota = CgroupCpuQuota.read(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"));
        String source = "affinity " + affinity.size() + ", cgroup quota "
                + (quota.isPresent() ? String.format(Locale.ROOT, "%.2f", quota.getAsDouble()) : "none");
        return Platform.of(Os.LINUX, Arch.current(), page > 0 ? (int) page : 4096, cacheLineSize(),
                CgroupCpuQuota.cap(affinity, quota), source, OptionalInt.empty(), OptionalInt.empty());
    }

    private static int cacheLineSize() {
        long line = LibC.sysconf(LinuxConstants.SC_LEVEL1_DCACHE_LINESIZE);
        if (line > 0) {
            return (int) line;
        }
        try {
            return Integer.parseInt(Files.readString(
                    Path.of("/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size")).trim());
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_CACHE_LINE;
        }
    }
}
