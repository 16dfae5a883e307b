package dev.atoll.drivers.readiness;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.OsConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every readiness driver must do against the real kernel (pipes, waits, wake-ups, cancellation,
 * close), run by a subclass per driver on the systems where that driver exists.
 */
public abstract class ReadinessDriverContract {
    /** Long enough never to be reached when the driver works; a broken driver fails instead of hanging. */
    private static final long GENEROUS_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final long QUICK_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = Errno.allocate(arena);
    private int readFd = -1;
    private int writeFd = -1;
    private Driver driver;
    /** Written by the test's shard thread before it completes the future the test thread waits on. */
    private long syscallsBeforePoll;

    /** Records every completion it gets. */
    private static final class Recorder extends Operation {
        final List<Integer> results = new ArrayList<>();

        @Override
        public void complete(int result, int flags) {
            results.add(result);
        }
    }

    /** Opens the driver under test on the calling thread. */
    protected abstract Driver open();

    /** The kind {@link #open()} returns. */
    protected abstract DriverKind kind();

    @BeforeEach
    void openPipeAndDriver() {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LibC.pipe(errno, fds)); // portable: macOS has no pipe2
        readFd = fds.getAtIndex(JAVA_INT, 0);
        writeFd = fds.getAtIndex(JAVA_INT, 1);
        for (int fd : new int[] {readFd, writeFd}) {
            assertEquals(0, LibC.fcntl(errno, fd, OsConstants.F_SETFL, OsConstants.O_NONBLOCK));
            assertEquals(0, LibC.fcntl(errno, fd, OsConstants.F_SETFD, OsConstants.FD_CLOEXEC));
        }
        driver = open();
    }

    @AfterEach
    void closeAll() {
        driver.close();
        LibC.close(errno, readFd);
        LibC.close(errno, writeFd);
        arena.close();
    }

    private void writeOneByte() {
        assertEquals(1, LibC.write(errno, writeFd, arena.allocateFrom(JAVA_BYTE, (byte) 7), 1));
    }

    @Test
    void nopCompletesOnTheNextPollWithoutBlocking() {
        Recorder nop = new Recorder();
        driver.submit(nop.prepareNop());
        assertEquals(List.of(), nop.results, "completions happen inside poll only");
        long start = System.nanoTime();
        assertEquals(1, driver.poll(GENEROUS_NANOS));
        assertTrue(System.nanoTime() - start < QUICK_NANOS, "a ready NOP must not let poll block");
        assertEquals(List.of(0), nop.results);
        assertEquals(-1, nop.driverSlot());
        assertEquals(kind(), driver.kind());
    }

    @Test
    void completionOnlyOperationsCompleteWithEopnotsuppAndTheCapabilitiesSaySo() {
        assertFalse(driver.supportsMultishotAccept());
        assertFalse(driver.supportsFiles());
        assertFalse(driver.supportsShutdown());
        assertFalse(driver.supportsLinkedTimeouts());
        Recorder accept = new Recorder();
        Recorder shutdown = new Recorder();
        Recorder statx = new Recorder();
        Recorder readFixed = new Recorder();
        Recorder timeout = new Recorder();
        driver.submit(accept.prepareAcceptMultishot(readFd));
        driver.submit(shutdown.prepareShutdown(readFd, OsConstants.SHUT_WR));
        driver.submit(statx.prepareStatx(readFd, arena.allocate(256)));
        driver.submit(readFixed.prepareReadFixed(readFd, arena.allocate(64).address(), 64, 0, 0));
        driver.submit(timeout.prepareTimeout(1_000_000));
        driver.poll(GENEROUS_NANOS);
        assertEquals(-1, driver.registerBuffer(arena.allocate(4096)), "no registered buffers");
        assertEquals(-1, driver.registerFile(readFd), "no registered files");
        for (Recorder op : List.of(accept, shutdown, statx, readFixed, timeout)) {
            assertEquals(List.of(-OsConstants.EOPNOTSUPP), op.results);
            assertEquals(-1, op.driverSlot());
        }
    }

    @Test
    void manyOperationsGrowTheTable() {
        List<Recorder> nops = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Recorder nop = new Recorder();
            nops.add(nop);
            driver.submit(nop.prepareNop());
        }
        assertEquals(1000, driver.poll(0));
        nops.forEach(nop -> assertEquals(List.of(0), nop.results));
    }

    @Test
    void pollWithNothingToDoWaitsAtLeastTheTimeout() {
        for (long timeout : new long[] {1_000_000L, 1_500_000L, 250_000L, 20_000_000L}) {
            long start = System.nanoTime();
            assertEquals(0, driver.poll(timeout));
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= timeout, "poll(" + timeout + " ns) returned after " + elapsed + " ns");
        }
    }

    @Test
    void wakeFromAnotherThreadInterruptsAnUnboundedPoll() throws Exception {
        // The driver lives on its own "shard" thread so a broken wake fails the test instead of hanging it.
        CompletableFuture<Driver> opened = new CompletableFuture<>();
        CompletableFuture<Integer> polled = new CompletableFuture<>();
        Thread shard = Thread.ofPlatform().daemon().name("wake-test-shard").start(() -> {
            try (Driver own = open()) {
                syscallsBeforePoll = own.syscalls(); // read here: the poll may start before the test looks
                opened.complete(own);
                polled.complete(own.poll(-1));
            } catch (Throwable t) {
                opened.completeExceptionally(t);
                polled.completeExceptionally(t);
            }
        });
        Driver own = opened.get(20, TimeUnit.SECONDS);
        long before = syscallsBeforePoll;
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (own.syscalls() == before && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the wait system call is counted as it starts
        }
        own.wake();
        assertEquals(0, polled.get(20, TimeUnit.SECONDS));
        shard.join(TimeUnit.SECONDS.toMillis(20));
    }

    @Test
    void aWakeBeforePollMakesTheNextPollReturnAtOnce() {
        driver.wake();
        driver.wake(); // coalesced with the first
        long start = System.nanoTime();
        assertEquals(0, driver.poll(GENEROUS_NANOS));
        assertTrue(System.nanoTime() - start < QUICK_NANOS, "a pending wake must end the next poll at once");
        // The wake was consumed: the following poll waits out its timeout again.
        start = System.nanoTime();
        driver.poll(10_000_000L);
        assertTrue(System.nanoTime() - start >= 10_000_000L);
        // And a later wake still works.
        driver.wake();
        start = System.nanoTime();
        driver.poll(GENEROUS_NANOS);
        assertTrue(System.nanoTime() - start < QUICK_NANOS);
    }

    @Test
    void pollOnAPipeCompletesReadableAfterAWrite() {
        Recorder readable = new Recorder();
        driver.submit(readable.preparePoll(readFd, PollEvents.READABLE));
        driver.poll(0);
        assertEquals(List.of(), readable.results);
        writeOneByte();
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (readable.results.isEmpty() && System.nanoTime() < deadline) {
            driver.poll(GENEROUS_NANOS);
        }
        assertEquals(1, readable.results.size());
        assertEquals(PollEvents.READABLE, readable.results.getFirst() & PollEvents.READABLE);
        // One-shot: re-submitting re-arms the same descriptor (still registered, disabled).
        driver.submit(readable);
        assertEquals(1, driver.poll(GENEROUS_NANOS));
        assertEquals(2, readable.results.size());
    }

    @Test
    void pollForWritableCompletesOnAnEmptyPipe() {
        Recorder writable = new Recorder();
        driver.submit(writable.preparePoll(writeFd, PollEvents.WRITABLE));
        assertEquals(1, driver.poll(GENEROUS_NANOS));
        assertEquals(PollEvents.WRITABLE, writable.results.getFirst());
    }

    @Test
    void pollOnABadDescriptorCompletesWithTheError() {
        Recorder bad = new Recorder();
        driver.submit(bad.preparePoll(-1, PollEvents.READABLE));
        assertEquals(List.of(), bad.results);
        assertEquals(1, driver.poll(GENEROUS_NANOS));
        assertEquals(List.of(-OsConstants.EBADF), bad.results);
    }

    @Test
    void cancelOfAPendingPollCompletesEcanceledExactlyOnce() {
        Recorder pending = new Recorder();
        driver.submit(pending.preparePoll(readFd, PollEvents.READABLE));
        driver.cancel(pending);
        assertEquals(List.of(), pending.results, "the cancellation arrives inside poll, not inline");
        assertEquals(1, driver.poll(GENEROUS_NANOS));
        assertEquals(List.of(-Errno.ECANCELED), pending.results);
        driver.cancel(pending); // already completed: nothing
        writeOneByte();          // the interest is gone: no stale event may complete it again
        assertEquals(0, driver.poll(20_000_000L));
        assertEquals(List.of(-Errno.ECANCELED), pending.results);
    }

    @Test
    void cancelAfterReadinessKeepsTheResult() {
        Recorder nop = new Recorder();
        driver.submit(nop.prepareNop());
        driver.cancel(nop);
        driver.poll(0);
        assertEquals(List.of(0), nop.results);
    }

    @Test
    void anOperationCannotBeSubmittedTwice() {
        Recorder nop = new Recorder();
        driver.submit(nop.prepareNop());
        assertThrows(IllegalStateException.class, () -> driver.submit(nop));
    }

    @Test
    void closeCancelsPendingOperationsAndLeavesNoDescriptorBehind() throws IOException {
        long before = openDescriptors();
        Driver other = open();
        Recorder poll = new Recorder();
        Recorder nop = new Recorder();
        other.submit(poll.preparePoll(readFd, PollEvents.READABLE));
        other.submit(nop.prepareNop());
        other.close();
        other.close(); // idempotent
        assertEquals(List.of(-Errno.ECANCELED), poll.results);
        assertEquals(List.of(-Errno.ECANCELED), nop.results);
        assertEquals(before, openDescriptors());
        other.wake(); // harmless after close
        assertThrows(IllegalStateException.class, () -> other.poll(0));
    }

    @Test
    void syscallsAreCounted() {
        long before = driver.syscalls();
        driver.poll(1_000);
        long afterWait = driver.syscalls();
        assertTrue(afterWait > before);
        Recorder readable = new Recorder();
        driver.submit(readable.preparePoll(readFd, PollEvents.READABLE));
        assertTrue(driver.syscalls() > afterWait, "registering counts, or the wait that carries it");
    }

    @Test
    void aNonBlockingPollWithNothingArmedMakesNoSystemCall() {
        long before = driver.syscalls();
        for (int i = 0; i < 100; i++) {
            driver.poll(0);
        }
        assertEquals(before, driver.syscalls());
        driver.wake();   // still seen by the next poll that may block
        long start = System.nanoTime();
        driver.poll(GENEROUS_NANOS);
        assertTrue(System.nanoTime() - start < QUICK_NANOS, "the wake was lost");
    }

    private static long openDescriptors() throws IOException {
        // Linux lists a process's descriptors in /proc/self/fd, macOS in /dev/fd.
        try (Stream<Path> fds = Files.list(Path.of(Files.isDirectory(Path.of("/proc/self/fd")) ? "/proc/self/fd" : "/dev/fd"))) {
            return fds.count();
        }
    }
}
