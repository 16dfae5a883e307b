package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CpuListTest {

    @Test
    void readsRangesAndSingleCpus() {
        assertEquals(List.of(0, 1), CpuList.parse("0-1\n"));
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), CpuList.parse("\t0-3,8,10-11"));
        assertEquals(List.of(5), CpuList.parse("5"));
    }

    @Test
    void refusesWhatIsNotACpuList() {
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("3-1"));
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("a-b"));
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse(""));
    }

    @Test
    void thisProcessMayRunSomewhere() throws Exception {
        assertFalse(CpuList.allowed().isEmpty());
    }
}
