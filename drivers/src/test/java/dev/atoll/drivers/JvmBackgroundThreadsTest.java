package dev.atoll.drivers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmBackgroundThreadsTest {

    @Test
    void theCompilersAndTheConcurrentCollectorThreadsAreBackgroundAndTheRestIsNot() {
        for (String name : new String[] {"C1 CompilerThre", "C2 CompilerThre", "ZDirector", "ZDriverMajor", "ZDriverMinor",
                "ZWorkerYoung#0", "ZWorkerOld#3", "ZUncommitter#0", "ZStat", "G1 Main Marker", "G1 Conc#1", "G1 Refine#0",
                "G1 Service"}) {
            assertTrue(JvmBackgroundThreads.isBackground(name), name);
        }
        // Shards, user threads and what runs only at a safepoint (which shards wait for) keep their priority.
        for (String name : new String[] {"atoll-shard-0", "main", "VM Thread", "GC Thread#0", "RuntimeWorker#0",
                "Reference Handl", "Signal Dispatch", "C3 Thread"}) {
            assertFalse(JvmBackgroundThreads.isBackground(name), name);
        }
    }

    @Test
    void aNiceValueOutsideOneToNineteenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JvmBackgroundThreads(0));
        assertThrows(IllegalArgumentException.class, () -> new JvmBackgroundThreads(20));
    }
}
