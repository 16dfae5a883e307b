package dev.atoll.drivers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void probesThisLinuxMachine() {
        Platform p = Platform.current();
        assertSame(p, Platform.current());
        assertEquals(Os.LINUX, p.os());
        assertTrue(Platform.isLinux());
        assertTrue(p.pageSize() >= 4096 && Integer.bitCount(p.pageSize()) == 1, "page " + p.pageSize());
        assertTrue(p.cacheLineSize() >= 32 && Integer.bitCount(p.cacheLineSize()) == 1, "line " + p.cacheLineSize());
        List<Integer> cpus = p.usableCpus();
        assertFalse(cpus.isEmpty());
        assertEquals(cpus.stream().sorted().distinct().toList(), cpus);
        assertTrue(LinuxAffinity.of((int) ProcessHandle.current().pid()).containsAll(cpus));
        assertTrue(cpus.size() <= Runtime.getRuntime().availableProcessors());
        assertEquals(cpus.size(), p.usableCpuCount());
        assertTrue(p.describe().startsWith("linux " + Arch.current().displayName() + ", " + cpus.size()
                + " usable CPUs " + cpus + " (affinity "), p.describe());
    }

    @Test
    void describesAHandMadePlatform() {
        Platform p = Platform.of(Os.MACOS, Arch.AARCH64, 16384, 128, List.of(0, 1, 2, 3),
                "performance cores 4, efficiency cores 4", OptionalInt.of(4), OptionalInt.of(4));
        assertEquals("macos aarch64, 4 usable CPUs [0, 1, 2, 3] (performance cores 4, efficiency cores 4), "
                + "page 16384, cache line 128", p.describe());
        assertEquals(OptionalInt.of(4), p.efficiencyCores());
        assertThrows(IllegalArgumentException.class, () -> Platform.of(Os.LINUX, Arch.X86_64, 4096, 64, List.of(),
                "none", OptionalInt.empty(), OptionalInt.empty()));
    }

    @Test
    void normalisesOsAndArchNames() {
        assertEquals(Os.LINUX, Os.detect("Linux"));
        assertEquals(Os.MACOS, Os.detect("Mac OS X"));
        assertEquals(Os.OTHER, Os.detect("Windows 11"));
        assertEquals(Arch.X86_64, Arch.detect("amd64"));
        assertEquals(Arch.AARCH64, Arch.detect("aarch64"));
        assertEquals(Arch.AARCH64, Arch.detect("arm64"));
        assertEquals(Arch.OTHER, Arch.detect("riscv64"));
    }
}
