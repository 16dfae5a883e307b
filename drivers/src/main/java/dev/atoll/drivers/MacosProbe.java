package dev.atoll.drivers;

import dev.atoll.drivers.ffi.MacosLibC;

import java.util.OptionalInt;

/**
 * Probes macOS for {@link Platform} through {@code sysctlbyname}: page and cache-line size, and the
 * performance cores ({@code hw.perflevel0}) that shards should use on Apple Silicon.
 */
final class MacosProbe {

    private MacosProbe() {
    }

    static Platform probe() {
        int page = (int) MacosLibC.sysctlNumber("hw.pagesize").orElse(16384);
        int line = (int) MacosLibC.sysctlNumber("hw.cachelinesize").orElse(128);
        int logical = (int) MacosLibC.sysctlNumber("hw.logicalcpu")
                .orElse(Runtime.getRuntime().availableProcessors());
        // hw.nperflevels is missing before macOS 12 and 1 on Intel: one core type.
        int levels = (int) MacosLibC.sysctlNumber("hw.nperflevels").orElse(1);
        long performance = levels >= 2 ? MacosLibC.sysctlNumber("hw.perflevel0.logicalcpu").orElse(0) : 0;
        if (performance <= 0) {
            return Platform.of(Os.MACOS, Arch.current(), page, line, Platform.range(logical),
                    "hw.logicalcpu " + logical + ", one core type", OptionalInt.empty(), OptionalInt.empty());
        }
        int efficiency = 0;
        for (int level = 1; level < levels; level++) {
            efficiency += (int) MacosLibC.sysctlNumber("hw.perflevel" + level + ".logicalcpu").orElse(0);
        }
        return Platform.of(Os.MACOS, Arch.current(), page, line, Platform.range((int) performance),
                "performance cores " + performance + ", efficiency cores " + efficiency,
                OptionalInt.of((int) performance), OptionalInt.of(efficiency));
    }
}
