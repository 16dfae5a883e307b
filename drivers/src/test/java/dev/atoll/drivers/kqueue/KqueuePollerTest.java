package dev.atoll.drivers.kqueue;

import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.kqueue.ScriptedKqueue.Answer;
import dev.atoll.drivers.kqueue.ScriptedKqueue.Call;
import dev.atoll.drivers.kqueue.ScriptedKqueue.Kevent;
import dev.atoll.drivers.readiness.Poller;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static dev.atoll.drivers.ffi.Kqueue.EVFILT_READ;
import static dev.atoll.drivers.ffi.Kqueue.EVFILT_WRITE;
import static dev.atoll.drivers.ffi.Kqueue.EV_ADD;
import static dev.atoll.drivers.ffi.Kqueue.EV_CLEAR;
import static dev.atoll.drivers.ffi.Kqueue.EV_DELETE;
import static dev.atoll.drivers.ffi.Kqueue.EV_EOF;
import static dev.atoll.drivers.ffi.Kqueue.EV_RECEIPT;
import static dev.atoll.drivers.ffi.Kqueue.NOTE_TRIGGER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kqueue poller's change list, results and wake-ups against {@link ScriptedKqueue}: runs on any OS. */
class KqueuePollerTest {
    private static final int ADD = EV_ADD | EV_CLEAR;

    private final ScriptedKqueue kqueue = new ScriptedKqueue(Kqueue.Flavor.MACOS);
    private final KqueuePoller poller = KqueuePoller.open(kqueue);
    private final Recorded sink = new Recorded();

    /** What the poller reported to its sink, in order, as text. */
    private static final class Recorded implements Poller.Sink {
        final List<String> seen = new ArrayList<>();

        @Override
        public void ready(long token, int pollEvents) {
            seen.add("ready " + token + " " + pollEvents);
        }

        @Override
        public void woken() {
            seen.add("woken");
        }

        @Override
        public void failed(long token, int errno) {
            seen.add("failed " + token + " " + errno);
        }
    }

    @AfterEach
    void close() {
        poller.close();
    }

    private static Kevent change(long fd, short filter, int flags, long token) {
        return new Kevent(fd, filter, flags, 0, 0, token);
    }

    @Test
    void registrationsAreNotSystemCallsButTravelWithTheNextWait() {
        int before = kqueue.calls.size();
        long syscalls = poller.syscalls();
        assertEquals(0, poller.register(5, 50L));
        assertEquals(0, poller.rearm(6, 60L));
        assertEquals(before, kqueue.calls.size(), "register and rearm only queue changes");
        assertEquals(syscalls, poller.syscalls());

        poller.await(1_500_000_000L, sink);
        Call wait = kqueue.last();
        assertEquals(before + 1, kqueue.calls.size());
        assertEquals(ScriptedKqueue.KQ, wait.kq());
        assertEquals(List.of(change(5, EVFILT_READ, ADD, 50L), change(5, EVFILT_WRITE, ADD, 50L),
                change(6, EVFILT_READ, ADD, 60L), change(6, EVFILT_WRITE, ADD, 60L)), wait.changes());
        assertEquals(1_500_000_000L, wait.timeoutNanos());
        assertTrue(wait.nevents() >= wait.changes().size(), "room for an error entry per change");
        assertEquals(syscalls + 1, poller.syscalls());

        poller.await(0, sink);
        assertEquals(List.of(), kqueue.last().changes(), "changes are passed once");
    }

    @Test
    void eventsBecomePollEventsAndTheUserEventAWake() {
        short user = Kqueue.Flavor.MACOS.evfiltUser();
        kqueue.answer = call -> Answer.events(
                Kevent.event(5, EVFILT_READ, 0, 50L),
                Kevent.event(5, EVFILT_WRITE, 0, 50L),
                Kevent.event(6, EVFILT_READ, EV_EOF, 60L),
                Kevent.event(7, EVFILT_WRITE, EV_EOF, 70L),
                Kevent.event(0, user, EV_CLEAR, 0L));
        poller.await(-1, sink);
        assertNull(kqueue.last().timeoutNanos(), "a negative timeout waits without limit");
        assertEquals(List.of(
                "ready 50 " + PollEvents.READABLE,
                "ready 50 " + PollEvents.WRITABLE,
                "ready 60 " + (PollEvents.READABLE | PollEvents.HANGUP),
                "ready 70 " + (PollEvents.WRITABLE | PollEvents.HANGUP),
                "woken"), sink.seen);
    }

    @Test
    void aFailedChangeIsReportedAndTheLoopGoesOn() {
        poller.register(5, 50L);
        poller.register(6, 60L);
        poller.register(7, 70L);
        kqueue.answer = call -> Answer.events(
                call.changes().get(0).failedWith(OsConstants.EBADF),   // fd 5 was closed
                call.changes().get(3).failedWith(OsConstants.EPIPE),   // fd 6 cannot send any more (old macOS)
                call.changes().get(4).failedWith(-OsConstants.ENOMEM), // an early libkqueue's negated errno
                call.changes().get(5).failedWith(0));                  // a plain receipt
        poller.await(0, sink);
        assertEquals(List.of(
                "failed 50 " + OsConstants.EBADF,
                "ready 60 " + (PollEvents.WRITABLE | PollEvents.HANGUP),
                "failed 70 " + OsConstants.ENOMEM), sink.seen);
        assertEquals(0, poller.queuedChanges());
    }

    @Test
    void deregisterDropsQueuedChangesAndDeletesAtOnceWithReceipts() {
        poller.register(5, 50L);
        poller.register(7, 70L);
        long syscalls = poller.syscalls();
        kqueue.answer = call -> Answer.events(call.changes().get(0).failedWith(OsConstants.ENOENT),
                call.changes().get(1).failedWith(OsConstants.EBADF));
        assertEquals(0, poller.deregister(5), "a descriptor never added or already closed is no failure");
        Call delete = kqueue.last();
        assertEquals(List.of(change(5, EVFILT_READ, EV_DELETE | EV_RECEIPT, 0L),
                change(5, EVFILT_WRITE, EV_DELETE | EV_RECEIPT, 0L)), delete.changes());
        assertEquals(2, delete.nevents(), "room for the two receipts only, so the call never waits");
        assertEquals(0L, delete.timeoutNanos());
        assertEquals(syscalls + 1, poller.syscalls());
        assertEquals(2, poller.queuedChanges(), "only fd 7's registration is left");

        kqueue.answer = ScriptedKqueue::receipts;
        poller.await(0, sink);
        assertEquals(List.of(change(7, EVFILT_READ, ADD, 70L), change(7, EVFILT_WRITE, ADD, 70L)),
                kqueue.last().changes());

        kqueue.answer = call -> Answer.events(call.changes().get(0).failedWith(OsConstants.EINVAL),
                call.changes().get(1).failedWith(0));
        assertEquals(-OsConstants.EINVAL, poller.deregister(7));
        kqueue.answer = call -> Answer.error(OsConstants.EBADF);
        assertEquals(-OsConstants.EBADF, poller.deregister(7));
    }

    @Test
    void anInterruptedWaitHasAppliedItsChangesAndOtherFailuresThrow() {
        poller.register(5, 50L);
        kqueue.answer = call -> Answer.error(OsConstants.EINTR);
        poller.await(-1, sink);
        assertEquals(0, poller.queuedChanges(), "applied before the wait that was interrupted");
        assertEquals(List.of(), sink.seen);

        kqueue.answer = call -> Answer.error(OsConstants.EBADF);
        ErrnoException e = assertThrows(ErrnoException.class, () -> poller.await(0, sink));
        assertTrue(e.getMessage().startsWith("kevent(kq=" + ScriptedKqueue.KQ), e.getMessage());
    }

    @Test
    void timeoutsAreExactAndClampedWhereDarwinWouldRefuseThem() {
        long[][] cases = {
                {0, 0}, {1, 1}, {999_999_999L, 999_999_999L}, {2_000_000_001L, 2_000_000_001L},
                {KqueuePoller.MAX_TIMEOUT_SECONDS * 1_000_000_000L - 1, KqueuePoller.MAX_TIMEOUT_SECONDS * 1_000_000_000L - 1},
                {Long.MAX_VALUE, KqueuePoller.MAX_TIMEOUT_SECONDS * 1_000_000_000L}};
        for (long[] c : cases) {
            poller.await(c[0], sink);
            assertEquals(c[1], kqueue.last().timeoutNanos(), "timeout " + c[0]);
        }
    }

    @Test
    void manyRegistrationsInOneIterationGrowBothLists() {
        IntStream.range(0, 1000).forEach(fd -> poller.register(fd, fd));
        assertTrue(poller.capacity() >= 2000);
        poller.await(0, sink);
        Call wait = kqueue.last();
        assertEquals(2000, wait.changes().size());
        assertTrue(wait.nevents() >= 2000, "an error entry for every change must fit");
        for (int fd = 0; fd < 1000; fd++) {
            assertEquals(change(fd, EVFILT_READ, ADD, fd), wait.changes().get(2 * fd));
            assertEquals(change(fd, EVFILT_WRITE, ADD, fd), wait.changes().get(2 * fd + 1));
        }
    }

    @ParameterizedTest
    @EnumSource(Kqueue.Flavor.class)
    void theWakeIsTheFlavoursUserEventTriggered(Kqueue.Flavor flavor) {
        ScriptedKqueue own = new ScriptedKqueue(flavor);
        KqueuePoller other = KqueuePoller.open(own);
        short user = flavor == Kqueue.Flavor.MACOS ? (short) -10 : (short) -11;
        assertEquals(List.of(change(0, user, EV_ADD | EV_CLEAR | EV_RECEIPT, 0L)), own.calls.getFirst().changes());
        other.signal();
        Call trigger = own.last();
        assertEquals(List.of(new Kevent(0, user, EV_ADD, NOTE_TRIGGER, 0, 0L)), trigger.changes());
        assertEquals(0, trigger.nevents());
        assertNull(trigger.timeoutNanos());
        other.close();
        other.close();
        assertEquals(List.of(ScriptedKqueue.KQ), own.closed, "closed once");
    }

    @Test
    void aQueueThatCannotBeCreatedOrArmedFailsToOpen() {
        ScriptedKqueue none = new ScriptedKqueue(Kqueue.Flavor.LIBKQUEUE);
        none.kqueueResult = -OsConstants.EMFILE;
        assertThrows(ErrnoException.class, () -> KqueuePoller.open(none));

        ScriptedKqueue unarmed = new ScriptedKqueue(Kqueue.Flavor.LIBKQUEUE);
        unarmed.answer = call -> Answer.events(call.changes().getFirst().failedWith(OsConstants.EINVAL));
        ErrnoException e = assertThrows(ErrnoException.class, () -> KqueuePoller.open(unarmed));
        assertTrue(e.getMessage().contains("EVFILT_USER -11"), e.getMessage());
        assertEquals(List.of(ScriptedKqueue.KQ), unarmed.closed, "the queue is closed again");
    }
}
