package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineTest {
    private static final String CPUINFO = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            model name\t: AMD EPYC 7B13
            cpu MHz\t\t: 2450.000

            processor\t: 1
            vendor_id\t: AuthenticAMD
            model name\t: AMD EPYC 7B13
            """;

    @Test
    void readsTheCpuModelAndCountsTheProcessors() {
        assertEquals("AMD EPYC 7B13", Machine.cpuModel(CPUINFO));
        assertEquals(2, Machine.processors(CPUINFO));
        assertEquals("unknown", Machine.cpuModel(""));
    }

    @Test
    void readsMemoryAndOperatingSystem() {
        assertEquals("23.5 GiB", Machine.memory("MemTotal:       24641536 kB\nMemFree:  1 kB\n"));
        assertEquals("Debian GNU/Linux 12 (bookworm)",
                Machine.prettyName("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"));
    }

    @Test
    void describesThisMachine() {
        Machine machine = Machine.current();
        assertTrue(machine.onlineCpus() >= 1, machine.toString());
        assertFalse(machine.jdk().contains("unknown"), machine.toString());
        assertTrue(machine.loadBefore().matches("[0-9.]+ [0-9.]+ [0-9.]+"), machine.toString());
    }
}
