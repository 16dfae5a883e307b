package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcessCpuTest {

    @Test
    void addsUserAndSystemTimeOfTheProcessAndItsWaitedForChildren() throws IOException {
        // /proc/PID/stat of a redis-server 7.0.15 recorded on this project's machine: utime 161, stime 120,
        // cutime 0, cstime 0
        String stat;
        try (InputStream in = ProcessCpuTest.class.getResourceAsStream("proc-pid-stat-redis-server.txt")) {
            stat = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(281, ProcessCpu.ticks(stat));
        assertEquals(281 + 7 + 9, ProcessCpu.ticks(stat.replace(" 161 120 0 0 ", " 161 120 7 9 ")));
    }

    @Test
    void countsFieldsFromTheLastParenthesisOfTheCommandName() {
        String stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 10 0 0 0 300 50 2 1 20 0 3 0 100 1000 10 18446744073709551615 1";
        assertEquals(353, ProcessCpu.ticks(stat));
    }

    @Test
    void refusesWhatIsNotAStatLine() {
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.ticks("no such process"));
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.ticks("42 (java) S 1 42"));
    }

    @Test
    void readsThisProcesssCpuTimeGrowAsItSpins() throws Exception {
        ProcessCpu cpu = ProcessCpu.forThisMachine();
        long pid = ProcessHandle.current().pid();
        double before = cpu.seconds(pid);
        long giveUp = System.nanoTime() + 30_000_000_000L;
        double used = 0;
        while (used < 0.05 && System.nanoTime() < giveUp) {
            for (long spin = 0; spin < 1_000_000 && System.nanoTime() < giveUp; spin++) {
                Thread.onSpinWait();
            }
            used = cpu.seconds(pid) - before;
        }
        assertTrue(used >= 0.05, "30 s of spinning showed only " + used + " CPU seconds");
    }

    @Test
    void readsTheParentProcessId() {
        assertEquals(1, ProcessCpu.parentPid("42 (a) b (c) S 1 42 42 0 -1 4194560 10 0 0 0 300 50 2 1 20 0 3 0 100 1000 10 1 1"));
    }

    @Test
    void aTreeCountsTheTimeOfChildrenThatStillRun() throws Exception {
        // nginx's workers: children of the master that run until it stops, so never in its cutime
        ProcessCpu cpu = ProcessCpu.forThisMachine();
        Process parent = new ProcessBuilder("sh", "-c", "sh -c 'while :; do :; done' & wait").start();
        try {
            long giveUp = System.nanoTime() + 30_000_000_000L;
            double children = 0;
            while (children < 0.05 && System.nanoTime() < giveUp) {
                Thread.sleep(20);
                children = cpu.treeSeconds(parent.pid()) - cpu.seconds(parent.pid());
            }
            assertTrue(children >= 0.05, "a spinning child showed only " + children + " CPU seconds in the tree");
        } finally {
            parent.descendants().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly().waitFor();
        }
    }

    @Test
    void readsTheRunQueueWaitOfASchedstatLine() {
        assertEquals(2_345_678, ProcessCpu.runQueueNanos("123456789 2345678 42\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.runQueueNanos("123 456"));
    }

    @Test
    void aTreeCountsTheRunQueueWaitOfChildrenSharingOneCpu() throws Exception {
        // two spinning children confined to one CPU: each waits while the other runs
        assumeTrue(Files.exists(Path.of("/proc/self/schedstat")), "this kernel keeps no schedstat");
        assumeTrue(ExternalTools.locate("taskset", System.getenv().getOrDefault("PATH", "")).isPresent(),
                "taskset (util-linux) is not installed");
        ProcessCpu cpu = ProcessCpu.forThisMachine();
        String spin = "taskset -c 0 sh -c 'while :; do :; done'";
        Process parent = new ProcessBuilder("sh", "-c", spin + " & " + spin + " & wait").start();
        try {
            long giveUp = System.nanoTime() + 30_000_000_000L;
            double waited = 0;
            while (waited < 0.05 && System.nanoTime() < giveUp) {
                Thread.sleep(20);
                waited = cpu.treeRunQueueSeconds(parent.pid());
            }
            assertTrue(waited >= 0.05, "two children on one CPU waited only " + waited + " s for it");
        } finally {
            parent.descendants().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly().waitFor();
        }
    }
}
