package dev.atoll.drivers.kqueue;

import dev.atoll.config.DriverKind;
import dev.atoll.drivers.Operation;
import dev.atoll.drivers.PollEvents;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.Kqueue;
import dev.atoll.drivers.ffi.OsConstants;
import dev.atoll.drivers.kqueue.ScriptedKqueue.Answer;
import dev.atoll.drivers.kqueue.ScriptedKqueue.Kevent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kqueue driver (the shared readiness core over the kqueue poller) against {@link ScriptedKqueue}:
 * the path from an operation that waits to its registration, its event and its completion.
 */
class KqueueDriverScriptedTest {
    private static final int FD = 9;

    private final ScriptedKqueue kqueue = new ScriptedKqueue(Kqueue.Flavor.LIBKQUEUE);
    private final KqueueDriver driver = KqueueDriver.open(kqueue);

    private static final class Recorder extends Operation {
        final List<Integer> results = new ArrayList<>();

        @Override
        public void complete(int result, int flags) {
            results.add(result);
        }
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void aPollIsRegisteredByTheWaitAndCompletedByItsEvent() {
        assertEquals(DriverKind.KQUEUE, driver.kind());
        Recorder readable = new Recorder();
        driver.submit(readable.preparePoll(FD, PollEvents.READABLE));
        // The kernel reports the registered descriptor readable in the same call that registered it.
        kqueue.answer = call -> Answer.events(call.changes().stream()
                .filter(c -> c.filter() == Kqueue.EVFILT_READ)
                .map(c -> Kevent.event(c.ident(), c.filter(), 0, c.udata())).toArray(Kevent[]::new));
        assertEquals(1, driver.poll(1_000_000L));
        assertEquals(List.of(PollEvents.READABLE), readable.results);
        assertEquals(2, kqueue.last().changes().size(), "read and write filter, registered once");
        assertEquals(FD, kqueue.last().changes().getFirst().ident());
    }

    @Test
    void aRegistrationThatFailsFailsWhatWaitsAndIsTriedAgainNextTime() {
        Recorder first = new Recorder();
        driver.submit(first.preparePoll(FD, PollEvents.READABLE));
        kqueue.answer = call -> Answer.events(call.changes().getFirst().failedWith(OsConstants.EBADF));
        assertEquals(1, driver.poll(1_000_000L));
        assertEquals(List.of(-OsConstants.EBADF), first.results);

        kqueue.answer = ScriptedKqueue::receipts;
        Recorder second = new Recorder();
        driver.submit(second.preparePoll(FD, PollEvents.READABLE));
        driver.poll(0);
        assertEquals(2, kqueue.last().changes().size(), "registered again, not taken for registered");
        assertEquals(Kqueue.EV_ADD | Kqueue.EV_CLEAR, kqueue.last().changes().getFirst().flags());
    }

    @Test
    void detachBeforeTheWaitNeverRegistersAndDeletesAtOnce() {
        Recorder pending = new Recorder();
        driver.submit(pending.preparePoll(FD, PollEvents.READABLE));
        int calls = kqueue.calls.size();
        driver.detach(FD);
        assertEquals(calls + 1, kqueue.calls.size(), "the delete is its own call, before the owner closes");
        assertTrue(kqueue.last().changes().stream().allMatch(c -> c.flags() == (Kqueue.EV_DELETE | Kqueue.EV_RECEIPT)));
        assertEquals(1, driver.poll(0));
        assertEquals(List.of(-Errno.ECANCELED), pending.results);
    }

    @Test
    void aWakeTriggersTheUserEvent() {
        driver.wake();
        assertEquals(Kqueue.NOTE_TRIGGER, kqueue.last().changes().getFirst().fflags());
        assertEquals(Kqueue.EVFILT_USER_LIBKQUEUE, kqueue.last().changes().getFirst().filter());
        driver.wake(); // coalesced: the first is still outstanding
        assertEquals(1, kqueue.calls.stream().filter(c -> !c.changes().isEmpty()
                && c.changes().getFirst().fflags() == Kqueue.NOTE_TRIGGER).count());
        kqueue.answer = call -> Answer.events(Kevent.event(0, Kqueue.EVFILT_USER_LIBKQUEUE, Kqueue.EV_CLEAR, 0L));
        driver.poll(1_000_000L);
        kqueue.answer = ScriptedKqueue::receipts;
        driver.wake();
        assertEquals(2, kqueue.calls.stream().filter(c -> !c.changes().isEmpty()
                && c.changes().getFirst().fflags() == Kqueue.NOTE_TRIGGER).count(), "drained: the next wake signals");
    }
}
