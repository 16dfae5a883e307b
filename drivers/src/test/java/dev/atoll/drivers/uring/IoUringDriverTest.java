package dev.atoll.drivers.uring;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;
import dev.atoll.config.IoUringSettings;
import dev.atoll.drivers.Arch;
import dev.atoll.drivers.Completion;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LibC;
import dev.atoll.drivers.ffi.LinuxConstants;
import dev.atoll.drivers.ffi.LinuxLibC;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.ffi.SocketAddresses;
import dev.atoll.drivers.ffi.Sockets;
import dev.atoll.drivers.ffi.Statx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The io_uring driver on this kernel, operation by operation; skipped, with the probe's reason, where it cannot run. */
class IoUringDriverTest {
    private static final long GENEROUS_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = Errno.allocate(arena);
    private final List<Integer> openFds = new ArrayList<>();
    private IoUringDriver driver;

    /** Records every completion it gets, with its flags. */
    private static final class Recorder extends Operation {
        final List<Integer> results = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();

        @Override
        public void complete(int result, int flags) {
            results.add(result);
            this.flags.add(flags);
        }
    }

    @BeforeEach
    void open() {
        IoUringSupport support = IoUringSupport.current();
        Assumptions.assumeTrue(support.available(), () -> "skipped: io_uring cannot run here: " + support.reason());
        driver = IoUringDriver.open(settings("atoll.io-uring.entries = 8"));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        openFds.forEach(fd -> LibC.close(errno, fd));
        arena.close();
    }

    private static IoUringSettings settings(String hocon) {
        return AtollConfig.parse(hocon, "test").settings().ioUring();
    }

    /** A pipe whose ends block (io_uring then waits for data inside the kernel instead of failing with EAGAIN). */
    private int[] blockingPipe() {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        assertEquals(0, LinuxLibC.pipe2(errno, fds, LinuxConstants.O_CLOEXEC));
        int[] pipe = {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        openFds.add(pipe[0]);
        openFds.add(pipe[1]);
        return pipe;
    }

    private void write(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertEquals(bytes.length, LibC.write(errno, fd, arena.allocateFrom(JAVA_BYTE, bytes), bytes.length));
    }

    private void pollUntil(List<?> results, int count) {
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (results.size() < count && System.nanoTime() < deadline) {
            driver.poll(TimeUnit.MILLISECONDS.toNanos(100));
        }
        assertEquals(count, results.size(), "completions within " + GENEROUS_NANOS / 1_000_000_000 + " s");
    }

    @Test
    void aFullSubmissionRingIsSubmittedAndRefilled() {
        List<Recorder> nops = new ArrayList<>();
        for (int i = 0; i < 1000; i++) { // the ring has 8 entries
            Recorder nop = new Recorder();
            nops.add(nop);
            driver.submit(nop.prepareNop());
        }
        int completed = 0;
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (completed < 1000 && System.nanoTime() < deadline) {
            completed += driver.poll(0);
        }
        assertEquals(1000, completed);
        nops.forEach(nop -> assertEquals(List.of(0), nop.results));
        assertEquals(DriverKind.IO_URING, driver.kind());
    }

    @Test
    void completionsBeyondTheCompletionRingAreNotLost() {
        // 8 SQ entries, 16 CQ entries: 200 NOPs submitted before any is reaped overflow the CQ (NODROP keeps them).
        List<Recorder> nops = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Recorder nop = new Recorder();
            nops.add(nop);
            driver.submit(nop.prepareNop());
        }
        int completed = 0;
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (completed < 200 && System.nanoTime() < deadline) {
            completed += driver.poll(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertEquals(200, completed);
        nops.forEach(nop -> assertEquals(List.of(0), nop.results));
    }

    @Test
    void aTimedPollWaitsAtLeastItsTimeout() {
        for (long timeout : new long[] {250_000L, 1_000_000L, 20_000_000L}) {
            long start = System.nanoTime();
            assertEquals(0, driver.poll(timeout));
            assertTrue(System.nanoTime() - start >= timeout, "poll(" + timeout + " ns) returned early");
        }
    }

    @Test
    void pollOnAPipeCompletesReadableAfterAWrite() {
        int[] pipe = blockingPipe();
        Recorder readable = new Recorder();
        driver.submit(readable.preparePoll(pipe[0], PollEvents.READABLE));
        driver.poll(0);
        assertEquals(List.of(), readable.results);
        write(pipe[1], "x");
        pollUntil(readable.results, 1);
        assertEquals(PollEvents.READABLE, readable.results.getFirst() & PollEvents.READABLE);
    }

    @Test
    void aCancelledReadCompletesOnceAndItsBufferIsNeverWrittenAfterwards() {
        int[] pipe = blockingPipe();
        MemorySegment buffer = arena.allocate(16);
        Recorder read = new Recorder();
        driver.submit(read.prepareRead(pipe[0], buffer.address(), 16, -1));
        driver.poll(0);
        driver.cancel(read);
        assertTrue(read.driverSlot() >= 0, "owned by the driver until its completion");
        pollUntil(read.results, 1);
        assertEquals(List.of(-LinuxConstants.ECANCELED), read.results);
        assertEquals(-1, read.driverSlot());
        write(pipe[1], "late");
        driver.poll(TimeUnit.MILLISECONDS.toNanos(50));
        assertEquals(0, buffer.get(JAVA_BYTE, 0), "the kernel wrote into a buffer it had given back");
        assertEquals(1, read.results.size(), "no second completion");
        driver.cancel(read); // completed already: nothing
    }

    @Test
    void cancellationRacingCompletionEndsOneWayOrTheOtherAndLosesNoData() {
        int[] pipe = blockingPipe();
        MemorySegment buffer = arena.allocate(1);
        int cancelled = 0;
        for (int round = 0; round < 200; round++) {
            Recorder read = new Recorder();
            driver.submit(read.prepareRead(pipe[0], buffer.address(), 1, -1));
            driver.poll(0);
            write(pipe[1], "r");
            driver.cancel(read);
            pollUntil(read.results, 1);
            int result = read.results.getFirst();
            if (result == -LinuxConstants.ECANCELED) {
                cancelled++;
                Recorder drain = new Recorder(); // the byte stayed in the pipe
                driver.submit(drain.prepareRead(pipe[0], buffer.address(), 1, -1));
                pollUntil(drain.results, 1);
                assertEquals(List.of(1), drain.results);
            } else {
                assertEquals(1, result, "either the data or the cancellation");
            }
            assertEquals('r', buffer.get(JAVA_BYTE, 0));
            buffer.set(JAVA_BYTE, 0, (byte) 0);
        }
        System.out.printf("IoUringDriverTest: %d of 200 racing reads were cancelled, the rest completed%n", cancelled);
    }

    @Test
    void filesOpenWriteSyncReadAndClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ring.txt");
        MemorySegment path = arena.allocateFrom(file.toString());
        Recorder open = new Recorder();
        driver.submit(open.prepareOpen(path, LinuxConstants.O_CREAT | 2 /* O_RDWR */ | LinuxConstants.O_CLOEXEC, 0644));
        pollUntil(open.results, 1);
        int fd = open.results.getFirst();
        assertTrue(fd >= 0, "open: " + fd);
        byte[] text = "written through the ring".getBytes(StandardCharsets.US_ASCII);
        Recorder write = new Recorder();
        driver.submit(write.prepareWrite(fd, arena.allocateFrom(JAVA_BYTE, text).address(), text.length, 100));
        pollUntil(write.results, 1);
        assertEquals(List.of(text.length), write.results);
        Recorder sync = new Recorder();
        driver.submit(sync.prepareFsync(fd, true));
        pollUntil(sync.results, 1);
        assertEquals(List.of(0), sync.results);
        MemorySegment back = arena.allocate(64);
        Recorder read = new Recorder();
        driver.submit(read.prepareRead(fd, back.address(), 64, 100));
        pollUntil(read.results, 1);
        assertEquals(List.of(text.length), read.results);
        assertArrayEquals(text, back.asSlice(0, text.length).toArray(JAVA_BYTE));
        Recorder close = new Recorder();
        driver.submit(close.prepareClose(fd));
        pollUntil(close.results, 1);
        assertEquals(List.of(0), close.results);
        assertEquals(100 + text.length, Files.size(file));
        Recorder missing = new Recorder();
        driver.submit(missing.prepareOpen(arena.allocateFrom(dir.resolve("absent").toString()), 0, 0));
        pollUntil(missing.results, 1);
        assertEquals(List.of(-LinuxConstants.ENOENT), missing.results);
    }

    @Test
    void fixedBuffersOnARegisteredFileWriteSyncAndReadBack(@TempDir Path dir) {
        int fd = LibC.open(errno, arena.allocateFrom(dir.resolve("fixed.bin").toString()),
                LinuxConstants.O_CREAT | 2 /* O_RDWR */ | LinuxConstants.O_CLOEXEC, 0644);
        assertTrue(fd >= 0, "open: " + fd);
        openFds.add(fd);
        MemorySegment registered = arena.allocate(65536, 4096);
        int buffer = driver.registerBuffer(registered);
        // Without CAP_IPC_LOCK registered memory counts against the user's locked-memory limit, which CI
        // runners may have spent: that refusal is LockedMemoryLimitTest's subject, not this test's.
        Assumptions.assumeTrue(buffer >= 0, () -> "skipped: the kernel refused a registered buffer here: "
                + driver.registeredBuffersRefusal());
        int file = driver.registerFile(fd);
        assertTrue(file >= 0, "registerFile");
        assertEquals(1, driver.registeredBuffers());
        assertEquals(1, driver.registeredFiles());

        byte[] text = "fixed buffer, registered file".getBytes(StandardCharsets.US_ASCII);
        MemorySegment out = registered.asSlice(4096, text.length).copyFrom(MemorySegment.ofArray(text));
        Recorder write = new Recorder();
        driver.submit(write.prepareWriteFixed(file, out.address(), text.length, 100, buffer).onRegisteredFile());
        pollUntil(write.results, 1);
        assertEquals(List.of(text.length), write.results);
        Recorder sync = new Recorder();
        driver.submit(sync.prepareFsync(file, true).onRegisteredFile());
        pollUntil(sync.results, 1);
        assertEquals(List.of(0), sync.results);
        Recorder read = new Recorder();
        driver.submit(read.prepareReadFixed(file, registered.address() + 8192, 64, 100, buffer).onRegisteredFile());
        pollUntil(read.results, 1);
        assertEquals(List.of(text.length), read.results);
        assertArrayEquals(text, registered.asSlice(8192, text.length).toArray(JAVA_BYTE));

        // The kernel checks a fixed transfer against the registered range, so it really uses the table.
        Recorder outside = new Recorder();
        driver.submit(outside.prepareReadFixed(fd, registered.address() + 65536 - 16, 64, 100, buffer));
        pollUntil(outside.results, 1);
        assertEquals(List.of(-LinuxConstants.EFAULT), outside.results);

        driver.unregisterFile(file);
        assertEquals(0, driver.registeredFiles());
        Recorder gone = new Recorder();
        driver.submit(gone.prepareRead(file, registered.address(), 64, 100).onRegisteredFile());
        pollUntil(gone.results, 1);
        assertEquals(List.of(-LinuxConstants.EBADF), gone.results, "an emptied entry names no file");
        assertEquals(file, driver.registerFile(fd), "an emptied entry is reused");
    }

    @Test
    void aFullTableAnswersMinusOneAndZeroEntriesRegisterNothing() {
        Arena slabs = Arena.ofAuto();
        try (IoUringDriver two = IoUringDriver.open(settings("atoll.io-uring { entries = 8, registered-buffers = 2 }"))) {
            int first = two.registerBuffer(slabs.allocate(4096, 4096));
            Assumptions.assumeTrue(first >= 0, () -> "skipped: the kernel refused a registered buffer here: "
                    + two.registeredBuffersRefusal());
            assertEquals(0, first);
            assertEquals(1, two.registerBuffer(slabs.allocate(4096, 4096)));
            assertEquals(-1, two.registerBuffer(slabs.allocate(4096, 4096)), "the table has two entries");
            assertEquals(2, two.registeredBuffers());
            assertEquals(null, two.registeredBuffersRefusal(), "full is not refused");
        }
        try (IoUringDriver none = IoUringDriver.open(settings(
                "atoll.io-uring { entries = 8, registered-buffers = 0, registered-files = 0 }"))) {
            assertEquals(-1, none.registerBuffer(slabs.allocate(4096, 4096)));
            assertEquals(-1, none.registerFile(0));
            assertEquals("atoll.io-uring.registered-buffers = 0", none.registeredBuffersRefusal());
        }
    }

    @Test
    void aKernelTimeoutCompletesWithZeroOnceItsTimeHasPassedOrCancelledFirst() {
        Recorder timeout = new Recorder();
        long start = System.nanoTime();
        driver.submit(timeout.prepareTimeout(TimeUnit.MILLISECONDS.toNanos(30)));
        pollUntil(timeout.results, 1);
        long waited = System.nanoTime() - start;
        assertEquals(List.of(0), timeout.results);
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(30), "completed after " + waited + " ns");

        Recorder cancelled = new Recorder();
        driver.submit(cancelled.prepareTimeout(TimeUnit.MINUTES.toNanos(1)));
        driver.poll(0);
        driver.cancel(cancelled);
        pollUntil(cancelled.results, 1);
        assertEquals(List.of(-LinuxConstants.ECANCELED), cancelled.results);
        assertThrows(IllegalStateException.class, () -> new Recorder().prepareTimeout(1000).timeoutNanos(1000),
                "a TIMEOUT takes no linked time limit: both would use the slot's timespec");
    }

    @Test
    void aWakeFromAnotherThreadEndsAnUnboundedPoll() throws Exception {
        CompletableFuture<Void> woken = new CompletableFuture<>();
        Thread waker = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(100);
                driver.wake();
                woken.complete(null);
            } catch (InterruptedException e) {
                woken.completeExceptionally(e);
            }
        });
        driver.poll(-1); // returns only when woken
        woken.get(20, TimeUnit.SECONDS);
        waker.join();
    }

    /** A driver on a thread of its own (rings are single-issuer), the durations of its polls, the thread. */
    private record OtherShard(IoUringDriver driver, List<CompletableFuture<Long>> polls, Thread thread) {
    }

    /**
     * Opens a driver on another thread, which then makes one poll of up to {@code pollNanos} for each of
     * {@code gates}, once that gate is open, reports its duration in {@code polls} and closes the driver
     * after the last.
     */
    private static OtherShard otherShard(long pollNanos, List<CompletableFuture<Void>> gates) throws Exception {
        CompletableFuture<IoUringDriver> opened = new CompletableFuture<>();
        List<CompletableFuture<Long>> polls = gates.stream().map(gate -> new CompletableFuture<Long>()).toList();
        Thread thread = Thread.ofPlatform().daemon().start(() -> {
            try (IoUringDriver own = IoUringDriver.open(settings(""))) {
                opened.complete(own);
                for (int i = 0; i < gates.size(); i++) {
                    gates.get(i).get(20, TimeUnit.SECONDS);
                    long start = System.nanoTime();
                    own.poll(pollNanos);
                    polls.get(i).complete(System.nanoTime() - start);
                }
            } catch (Throwable t) {
                opened.completeExceptionally(t);
                polls.forEach(poll -> poll.completeExceptionally(t));
            }
        });
        return new OtherShard(opened.get(20, TimeUnit.SECONDS), polls, thread);
    }

    @Test
    void aMsgRingWakeEndsAnotherRingsUnboundedPoll() throws Exception {
        assertEquals(IoUringSettings.Wake.MSG_RING, driver.wakePath(), "this kernel has MSG_RING");
        OtherShard other = otherShard(-1, List.of(CompletableFuture.completedFuture(null)));
        IoUringDriver target = other.driver();
        Thread.sleep(100);
        long syscalls = target.syscalls();
        driver.wake(target); // a MSG_RING from this ring: no write to the target's eventfd
        assertTrue(other.polls().get(0).get(20, TimeUnit.SECONDS) > 0);
        other.thread().join(TimeUnit.SECONDS.toMillis(20));
        assertTrue(target.syscalls() >= syscalls);
    }

    /** {@code F_DUPFD_CLOEXEC}: a copy of a descriptor at the lowest free number. */
    private static final int F_DUPFD_CLOEXEC = 1030;

    /** {@code dup3(from, to, O_CLOEXEC)}: descriptor number {@code to} now names {@code from}'s file. */
    private void dup3(int from, int to) {
        long sysDup3 = Arch.current() == Arch.AARCH64 ? 24 : 292;
        assertEquals(to, LinuxLibC.syscall(errno, sysDup3, from, to, MemorySegment.NULL, 0) & 0xFFFF_FFFFL,
                "dup3 (the third argument, flags, is the NULL pointer: 0)");
    }

    /**
     * Points descriptor number {@code fd} at the read end of a fresh pipe while {@code action} runs, then
     * gives the number its own file back: whoever writes or names {@code fd} meanwhile fails.
     */
    private void withDescriptorBroken(int fd, Runnable action) {
        int saved = LibC.fcntl(errno, fd, F_DUPFD_CLOEXEC, 0);
        assertTrue(saved >= 0, "fcntl(F_DUPFD_CLOEXEC): " + saved);
        try {
            dup3(blockingPipe()[0], fd);
            action.run();
        } finally {
            dup3(saved, fd);
            LibC.close(errno, saved);
        }
    }

    @Test
    void aFailedEventfdWriteLeavesTheGateOpenForTheNextWake() {
        withDescriptorBroken(driver.wakeFd(), driver::wake); // write(2) to a pipe's read end: EBADF
        driver.wake(); // the descriptor is the eventfd again: this wake must not be skipped
        long start = System.nanoTime();
        driver.poll(TimeUnit.SECONDS.toNanos(10));
        long waited = System.nanoTime() - start;
        assertTrue(waited < TimeUnit.SECONDS.toNanos(5),
                "the second wake reached the ring (poll waited " + waited / 1_000_000 + " ms of its 10 s)");
    }

    @Test
    void aRefusedMsgRingFallsBackToTheEventfdAndLaterWakesStillWork() throws Exception {
        assertEquals(IoUringSettings.Wake.MSG_RING, driver.wakePath(), "this kernel has MSG_RING");
        CompletableFuture<Void> secondWakeSent = new CompletableFuture<>();
        OtherShard other = otherShard(TimeUnit.SECONDS.toNanos(10),
                List.of(CompletableFuture.completedFuture(null), secondWakeSent));
        IoUringDriver target = other.driver();
        // The target's own enters use its registered ring index; only MSG_RINGs name its descriptor, and
        // a MSG_RING to a descriptor that is no ring fails (EBADFD) with a CQE in this ring.
        withDescriptorBroken(target.ringFd(), () -> driver.wake(target));
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (!other.polls().get(0).isDone() && System.nanoTime() < deadline) {
            driver.poll(TimeUnit.MILLISECONDS.toNanos(100)); // this ring reaps the failure and falls back
        }
        long first = other.polls().get(0).get(20, TimeUnit.SECONDS);
        assertTrue(first < TimeUnit.SECONDS.toNanos(5),
                "the refused MSG_RING was replaced by an eventfd wake (poll waited " + first / 1_000_000 + " ms)");
        driver.wake(target); // a MSG_RING again: the gate must not still be latched by the failure
        secondWakeSent.complete(null);
        long second = other.polls().get(1).get(20, TimeUnit.SECONDS);
        assertTrue(second < TimeUnit.SECONDS.toNanos(5),
                "a later MSG_RING wake reached the target (poll waited " + second / 1_000_000 + " ms)");
        other.thread().join(TimeUnit.SECONDS.toMillis(20));
    }

    /** Posts a CQE with {@code userData} and {@code result} into the ring {@code ringFd} with a MSG_RING from {@code from}. */
    private static void postCompletion(Ring from, int ringFd, long userData, int result) {
        long at = from.nextSqe();
        MemorySegment sqes = from.sqes;
        sqes.asSlice(at, IoUringAbi.SQE.byteSize()).fill((byte) 0);
        sqes.set(JAVA_BYTE, at + IoUringAbi.offset(IoUringAbi.SQE, "opcode"), IoUringAbi.OP_MSG_RING);
        sqes.set(JAVA_BYTE, at + IoUringAbi.offset(IoUringAbi.SQE, "flags"), IoUringAbi.SQE_CQE_SKIP_SUCCESS);
        sqes.set(JAVA_INT, at + IoUringAbi.offset(IoUringAbi.SQE, "fd"), ringFd);
        sqes.set(JAVA_LONG, at + IoUringAbi.offset(IoUringAbi.SQE, "addr"), IoUringAbi.MSG_DATA);
        sqes.set(JAVA_INT, at + IoUringAbi.offset(IoUringAbi.SQE, "len"), result);
        sqes.set(JAVA_LONG, at + IoUringAbi.offset(IoUringAbi.SQE, "off"), userData);
        from.publish();
        assertEquals(1, from.enter(1, 0, 0, MemorySegment.NULL, 0), "MSG_RING submitted");
    }

    @Test
    void aLateCompletionOfAnEarlierUseOfASlotIsDroppedWhateverOperationHoldsItNow() {
        Recorder first = new Recorder();
        driver.submit(first.prepareNop());
        int slot = first.driverSlot();
        long late = driver.userData(slot);
        pollUntil(first.results, 1);
        Recorder second = new Recorder(); // a fresh object: by its own count, its first use, like the first's
        driver.submit(second.prepareTimeout(TimeUnit.MINUTES.toNanos(10))); // in flight for the whole test
        driver.poll(0);
        assertEquals(slot, second.driverSlot(), "the freed slot is reused");
        long current = driver.userData(slot);
        try (Arena rings = Arena.ofConfined()) {
            Ring injector = Ring.open(rings, 2, 0, 0);
            try {
                postCompletion(injector, driver.ringFd(), late, 42); // a late CQE for the first use
                driver.poll(0); // dispatched before the next
                postCompletion(injector, driver.ringFd(), current, 7);
            } finally {
                injector.close();
            }
        }
        pollUntil(second.results, 1);
        assertEquals(List.of(7), second.results, "only the CQE of the slot's current use completes it");
        assertEquals(List.of(0), first.results);
    }

    @Test
    void closeCancelsWhatIsInFlightAndWaitsForTheKernel() {
        int[] pipe = blockingPipe();
        MemorySegment buffer = arena.allocate(8);
        Recorder read = new Recorder();
        Recorder poll = new Recorder();
        driver.submit(read.prepareRead(pipe[0], buffer.address(), 8, -1));
        driver.submit(poll.preparePoll(pipe[0], PollEvents.READABLE));
        driver.poll(0);
        driver.close();
        assertEquals(List.of(-LinuxConstants.ECANCELED), read.results);
        assertEquals(List.of(-LinuxConstants.ECANCELED), poll.results);
        assertThrows(IllegalStateException.class, () -> driver.submit(new Recorder().prepareNop()));
        driver = null;
    }

    /** A listening stream socket at {@code address} (port 0: any); returns it and its bound address. */
    private int listeningSocket(SocketAddress address, SocketAddress[] bound) {
        int fd = Sockets.socket(errno, SocketAddresses.family(address),
                OsConstants.SOCK_STREAM | LinuxConstants.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, "socket: " + fd);
        openFds.add(fd);
        MemorySegment storage = arena.allocate(SocketAddresses.STORAGE_SIZE);
        assertEquals(0, Sockets.bind(errno, fd, storage, SocketAddresses.encode(address, storage)));
        assertEquals(0, Sockets.listen(errno, fd, 64));
        MemorySegment length = arena.allocateFrom(JAVA_INT, (int) SocketAddresses.STORAGE_SIZE);
        assertEquals(0, Sockets.getsockname(errno, fd, storage, length));
        bound[0] = SocketAddresses.decode(storage, length.get(JAVA_INT, 0));
        return fd;
    }

    /** The server side of the next connection to {@code listener}, closed after the test. */
    private int accept(int listener) {
        int accepted = Sockets.accept(errno, listener);
        assertTrue(accepted >= 0, "accept: " + accepted);
        openFds.add(accepted);
        return accepted;
    }

    private Recorder armMultishotAccept(int listener) {
        Recorder accept = new Recorder();
        driver.submit(accept.prepareAcceptMultishot(listener));
        driver.poll(0);
        return accept;
    }

    @Test
    void oneMultishotAcceptTakesConnectionAfterConnectionUntilCancelled(@TempDir Path dir) throws Exception {
        assertTrue(driver.supportsMultishotAccept(), "kernel 6.18 has multishot accept");
        SocketAddress[] bound = new SocketAddress[1];
        int listener = listeningSocket(UnixDomainSocketAddress.of(dir.resolve("listener.sock")), bound);
        Recorder accept = armMultishotAccept(listener);
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(SocketChannel.open(bound[0]));
            pollUntil(accept.results, i + 1);
        }
        for (int i = 0; i < 5; i++) {
            int fd = accept.results.get(i);
            assertTrue(fd >= 0, "accepted descriptor: " + fd);
            openFds.add(fd);
            assertTrue(Completion.hasMore(accept.flags.get(i)), "still armed after connection " + i);
            assertEquals(LinuxConstants.O_NONBLOCK,
                    LibC.fcntl(errno, fd, LinuxConstants.F_GETFL, 0) & LinuxConstants.O_NONBLOCK);
        }
        assertTrue(accept.driverSlot() >= 0, "a multishot accept stays with the driver");
        // The accepted descriptor is the client's peer: what the client writes arrives on it.
        clients.getFirst().write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
        MemorySegment buffer = arena.allocate(8);
        Recorder recv = new Recorder();
        driver.submit(recv.prepareRecv(accept.results.getFirst(), buffer.address(), 8));
        pollUntil(recv.results, 1);
        assertEquals(List.of(2), recv.results);

        driver.cancel(accept);
        pollUntil(accept.results, 6);
        assertEquals(-LinuxConstants.ECANCELED, accept.results.get(5));
        assertFalse(Completion.hasMore(accept.flags.get(5)), "the cancel ends it");
        assertEquals(-1, accept.driverSlot());
        for (SocketChannel client : clients) {
            client.close();
        }
    }

    @Test
    void anAcceptErrorEndsTheMultishot() throws Exception {
        // An error (EMFILE in real life; the io suite's EmfileTest covers that in a child JVM) ends the
        // multishot and the caller re-arms. Here the error is EINVAL: the TCP socket stopped listening.
        SocketAddress[] bound = new SocketAddress[1];
        int listener = listeningSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bound);
        Recorder accept = armMultishotAccept(listener);
        SocketChannel client = SocketChannel.open(bound[0]);
        pollUntil(accept.results, 1);
        openFds.add(accept.results.getFirst());
        assertEquals(0, Sockets.shutdown(errno, listener, OsConstants.SHUT_RDWR));
        pollUntil(accept.results, 2);
        assertTrue(accept.results.get(1) < 0, "an error ends it: " + accept.results.get(1));
        assertFalse(Completion.hasMore(accept.flags.get(1)));
        assertEquals(-1, accept.driverSlot());
        client.close();
    }

    @Test
    void aLinkedTimeoutCancelsAReadInTheKernelAndSaysSo() {
        assertTrue(driver.supportsLinkedTimeouts());
        int[] pipe = blockingPipe();
        MemorySegment buffer = arena.allocate(8);
        Recorder read = new Recorder();
        driver.submit(read.prepareRead(pipe[0], buffer.address(), 8, -1).timeoutNanos(TimeUnit.MILLISECONDS.toNanos(30)));
        pollUntil(read.results, 1);
        assertEquals(List.of(-LinuxConstants.ECANCELED), read.results);
        assertTrue(Completion.timedOut(read.flags.getFirst()), "the time limit ended it");
        assertEquals(-1, read.driverSlot());
        write(pipe[1], "late");
        driver.poll(TimeUnit.MILLISECONDS.toNanos(50));
        assertEquals(0, buffer.get(JAVA_BYTE, 0), "the kernel wrote into a buffer it had given back");
        assertEquals(1, read.results.size(), "one completion");
    }

    @Test
    void anOperationFinishedBeforeItsLimitKeepsItsResultAndAnExplicitCancelIsNoTimeout() {
        int[] pipe = blockingPipe();
        MemorySegment buffer = arena.allocate(8);
        write(pipe[1], "data");
        Recorder read = new Recorder();
        driver.submit(read.prepareRead(pipe[0], buffer.address(), 8, -1).timeoutNanos(TimeUnit.SECONDS.toNanos(30)));
        pollUntil(read.results, 1);
        assertEquals(List.of(4), read.results);
        assertFalse(Completion.timedOut(read.flags.getFirst()));

        Recorder cancelled = new Recorder();
        driver.submit(cancelled.prepareRead(pipe[0], buffer.address(), 8, -1)
                .timeoutNanos(TimeUnit.SECONDS.toNanos(30)));
        driver.poll(0);
        driver.cancel(cancelled);
        pollUntil(cancelled.results, 1);
        assertEquals(List.of(-LinuxConstants.ECANCELED), cancelled.results);
        assertFalse(Completion.timedOut(cancelled.flags.getFirst()), "cancelled by the caller, not by its limit");
        driver.poll(TimeUnit.MILLISECONDS.toNanos(20));
        assertEquals(1, cancelled.results.size());
    }

    @Test
    void timedOperationsFillingTheSubmissionRingKeepTheirLinks() {
        // 8 SQ entries: an operation and its LINK_TIMEOUT must never be split over two submissions.
        List<Recorder> nops = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            Recorder nop = new Recorder();
            nops.add(nop);
            driver.submit(nop.prepareNop().timeoutNanos(TimeUnit.SECONDS.toNanos(30)));
        }
        int completed = 0;
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (completed < nops.size() && System.nanoTime() < deadline) {
            completed += driver.poll(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertEquals(nops.size(), completed);
        for (Recorder nop : nops) {
            assertEquals(List.of(0), nop.results);
            assertEquals(List.of(0), nop.flags);
        }
        int[] pipe = blockingPipe();
        Recorder poll = new Recorder(); // the ring still links: a timed poll on an idle pipe times out
        driver.submit(poll.preparePoll(pipe[0], PollEvents.READABLE).timeoutNanos(TimeUnit.MILLISECONDS.toNanos(10)));
        pollUntil(poll.results, 1);
        assertEquals(List.of(-LinuxConstants.ECANCELED), poll.results);
        assertTrue(Completion.timedOut(poll.flags.getFirst()));
    }

    @Test
    void statxFillsTheCallersBufferWithTheSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sized.bin");
        Files.write(file, new byte[12345]);
        Recorder open = new Recorder();
        driver.submit(open.prepareOpen(arena.allocateFrom(file.toString()), LinuxConstants.O_CLOEXEC, 0));
        pollUntil(open.results, 1);
        int fd = open.results.getFirst();
        assertTrue(fd >= 0, "open: " + fd);
        openFds.add(fd);
        MemorySegment statx = Statx.allocate(arena);
        Recorder stat = new Recorder();
        driver.submit(stat.prepareStatx(fd, statx));
        pollUntil(stat.results, 1);
        assertEquals(List.of(0), stat.results);
        assertEquals(LinuxConstants.STATX_SIZE, Statx.mask(statx) & LinuxConstants.STATX_SIZE);
        assertEquals(12345L, Statx.size(statx));
        Recorder bad = new Recorder();
        driver.submit(bad.prepareStatx(-1, Statx.allocate(arena)));
        pollUntil(bad.results, 1);
        assertEquals(List.of(-LinuxConstants.EBADF), bad.results);
    }

    @Test
    void nonBlockingPollsMakeNoSystemCallUntilANetworkCompletionIsReadyAndThenLoseNone() throws Exception {
        SocketAddress[] bound = new SocketAddress[1];
        int listener = listeningSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bound);
        try (SocketChannel client = SocketChannel.open(bound[0])) {
            int accepted = accept(listener);
            MemorySegment buffer = arena.allocate(1);
            Recorder recv = new Recorder();
            driver.submit(recv.prepareRecv(accepted, buffer.address(), 1));
            driver.poll(0); // submitted: the receive waits in the kernel
            long idle = driver.syscalls();
            for (int i = 0; i < 10_000; i++) {
                driver.poll(0);
            }
            assertEquals(idle, driver.syscalls(), "nothing to submit and nothing ready: poll(0) stays in user space");
            client.write(ByteBuffer.wrap(new byte[] {42}));
            // The data arrives as deferred task work (DEFER_TASKRUN): only an enter runs it, and the kernel
            // says there is some with IORING_SQ_TASKRUN, which the fast path checks.
            long deadline = System.nanoTime() + GENEROUS_NANOS;
            while (recv.results.isEmpty() && System.nanoTime() < deadline) {
                driver.poll(0);
            }
            assertEquals(List.of(1), recv.results, "the completion reached a loop of poll(0)");
            assertEquals(42, buffer.get(JAVA_BYTE, 0));
            long entered = driver.syscalls() - idle;
            assertTrue(entered >= 1 && entered <= 2, "entered " + entered + " times for one completion");
        }
    }

    @Test
    void shutdownEndsTheStreamThePeerReads() throws Exception {
        assertTrue(driver.supportsShutdown());
        SocketAddress[] bound = new SocketAddress[1];
        int listener = listeningSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bound);
        try (SocketChannel client = SocketChannel.open(bound[0])) {
            int accepted = accept(listener);
            Recorder shutdown = new Recorder();
            driver.submit(shutdown.prepareShutdown(accepted, OsConstants.SHUT_WR));
            pollUntil(shutdown.results, 1);
            assertEquals(List.of(0), shutdown.results);
            assertEquals(-1, client.read(ByteBuffer.allocate(8)), "the peer sees the end of stream");
            // Reading the other way still works: only output was shut down.
            client.write(ByteBuffer.wrap(new byte[] {42}));
            MemorySegment buffer = arena.allocate(1);
            Recorder recv = new Recorder();
            driver.submit(recv.prepareRecv(accepted, buffer.address(), 1));
            pollUntil(recv.results, 1);
            assertEquals(List.of(1), recv.results);
            assertEquals(42, buffer.get(JAVA_BYTE, 0));
        }
        Recorder notSocket = new Recorder();
        int[] pipe = blockingPipe();
        driver.submit(notSocket.prepareShutdown(pipe[0], OsConstants.SHUT_WR));
        pollUntil(notSocket.results, 1);
        assertEquals(List.of(-LinuxConstants.ENOTSOCK), notSocket.results);
    }

    @Test
    void aListenerDetachedAndClosedStopsListeningAtOnce() throws Exception {
        // The armed accept holds a reference to the socket: detach must let it go before the owner's close,
        // or the socket would go on listening until the next poll.
        SocketAddress[] bound = new SocketAddress[1];
        int listener = listeningSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), bound);
        Recorder accept = armMultishotAccept(listener);
        driver.detach(listener);
        openFds.remove((Integer) listener);
        assertEquals(0, LibC.close(errno, listener));
        assertThrows(java.net.ConnectException.class, () -> SocketChannel.open(bound[0]).close());
        pollUntil(accept.results, 1);
        assertEquals(List.of(-LinuxConstants.ECANCELED), accept.results);
    }
}
