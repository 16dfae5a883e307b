package dev.atoll.drivers;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The macOS topology probe fed with sysctl values recorded on Apple Silicon machines (test resources). */
class MacosProbeTest {

    /** Reads {@code sysctl hw}-style lines ({@code name: value}); numeric values only, as sysctlbyname gives them. */
    private static Map<String, Long> recorded(String name) throws IOException {
        Map<String, Long> values = new HashMap<>();
        try (InputStream in = MacosProbeTest.class.getResourceAsStream("/sysctl/" + name)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int colon = line.indexOf(": ");
                if (line.startsWith("#") || colon < 0) {
                    continue;
                }
                String value = line.substring(colon + 2).trim();
                if (value.chars().allMatch(Character::isDigit)) {
                    values.put(line.substring(0, colon), Long.parseLong(value));
                }
            }
        }
        return values;
    }

    private static Platform probe(Map<String, Long> sysctl) {
        return MacosProbe.probe(key -> sysctl.containsKey(key) ? OptionalLong.of(sysctl.get(key)) : OptionalLong.empty(),
                Arch.AARCH64, 99);
    }

    @Test
    void m1ProShardsOnItsEightPerformanceCores() throws IOException {
        Platform p = probe(recorded("m1-pro.txt"));
        assertEquals(Os.MACOS, p.os());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), p.usableCpus());
        assertEquals(OptionalInt.of(8), p.performanceCores());
        assertEquals(OptionalInt.of(2), p.efficiencyCores());
        assertEquals(128, p.cacheLineSize());
        assertEquals(16384, p.pageSize());
        assertEquals("macos aarch64, 8 usable CPUs [0, 1, 2, 3, 4, 5, 6, 7] (performance cores 8, efficiency cores 2), "
                + "page 16384, cache line 128", p.describe());
    }

    @Test
    void m4MaxShardsOnItsTwelvePerformanceCores() throws IOException {
        Platform p = probe(recorded("m4-max.txt"));
        assertEquals(12, p.usableCpuCount());
        assertEquals(OptionalInt.of(12), p.performanceCores());
        assertEquals(OptionalInt.of(4), p.efficiencyCores());
        assertEquals(128, p.cacheLineSize());
    }

    @Test
    void aMacWithOneCoreTypeUsesEveryLogicalCpu() throws IOException {
        Platform p = probe(recorded("intel-macos-11.txt"));
        assertEquals(8, p.usableCpuCount());
        assertEquals(OptionalInt.empty(), p.performanceCores());
        assertEquals(64, p.cacheLineSize());
        assertEquals(4096, p.pageSize());
    }

    @Test
    void missingKeysFallBackInsteadOfFailing() throws IOException {
        // A virtual machine may report two levels and hide the per-level keys.
        Map<String, Long> vm = new HashMap<>(Map.of("hw.nperflevels", 2L, "hw.logicalcpu", 3L));
        assertEquals(3, probe(vm).usableCpuCount());
        assertEquals(OptionalInt.empty(), probe(vm).performanceCores());
        // Nothing at all: the JVM's processor count and Apple Silicon's page and line sizes.
        Platform bare = probe(Map.of());
        assertEquals(99, bare.usableCpuCount());
        assertEquals(16384, bare.pageSize());
        assertEquals(128, bare.cacheLineSize());
        // A third, slower level counts with the efficiency cores; level 0 alone gets shards.
        Map<String, Long> three = new HashMap<>(recorded("m4-max.txt"));
        three.put("hw.nperflevels", 3L);
        three.put("hw.perflevel2.logicalcpu", 2L);
        assertEquals(OptionalInt.of(6), probe(three).efficiencyCores());
        assertEquals(12, probe(three).usableCpuCount());
    }
}
