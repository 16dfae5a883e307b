package dev.atoll.drivers;

import dev.atoll.drivers.ffi.MacosLibC;

import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Probes macOS for {@link Platform} through {@code sysctlbyname}: page and cache-line size, and the
 * performance cores ({@code hw.perflevel0}) that shards should use on Apple Silicon.
 */
final class MacosProbe {

    private MacosProbe() {
    }

    static Platform probe() {
        return probe(MacosLibC::sysctlNumber, Arch.current(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * The platform that these sysctl values describe ({@code sysctl} answers a name, empty when the key
     * does not exist): tests feed it values recorded on real machines.
     */
    static Platform probe(Function<String, OptionalLong> sysctl, Arch arch, int availableProcessors) {
        int page = (int) sysctl.apply("hw.pagesize").orElse(16384);
        int line = (int) sysctl.apply("hw.cachelinesize").orElse(128);
        int logical = (int) sysctl.apply("hw.logicalcpu").orElse(availableProcessors);
        // hw.nperflevels is missing before macOS 12 and 1 on Intel: one core type.
        int levels = (int) sysctl.apply("hw.nperflevels").orElse(1);
        long performance = levels >= 2 ? sysctl.apply("hw.perflevel0.logicalcpu").orElse(0) : 0;
        if (performance <= 0) {
            return Platform.of(Os.MACOS, arch, page, line, Platform.range(logical),
                    "hw.logicalcpu " + logical + ", one core type", OptionalInt.empty(), OptionalInt.empty());
        }
        // Level 0 is the fastest; every other level (efficiency cores, and any later kind) is slower.
        int efficiency = 0;
        for (int level = 1; level < levels; level++) {
            efficiency += (int) sysctl.apply("hw.perflevel" + level + ".logicalcpu").orElse(0);
        }
        return Platform.of(Os.MACOS, arch, page, line, Platform.range((int) performance),
                "performance cores " + performance + ", efficiency cores " + efficiency,
                OptionalInt.of((int) performance), OptionalInt.of(efficiency));
    }
}
