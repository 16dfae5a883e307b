package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AdaptiveIdleTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    private static AdaptiveIdle adaptive(long pollWindow, long ioPollWindow) {
        return new AdaptiveIdle(() -> false, pollWindow, ioPollWindow, 0);
    }

    @Test
    void withoutTrafficItSleeps() {
        assertEquals(IdleStrategy.SLEEP, adaptive(LONG, LONG).idle());
    }

    @Test
    void aMessageKeepsItPollingWithinThePollWindow() {
        AdaptiveIdle idle = adaptive(LONG, 0);
        idle.busy(true);
        assertEquals(IdleStrategy.POLL, idle.idle());
        AdaptiveIdle ioOnly = adaptive(LONG, 0);
        ioOnly.busy(false);   // work that was neither a message nor I/O (a task, a timer)
        assertEquals(IdleStrategy.SLEEP, ioOnly.idle());
    }

    @Test
    void anIoCompletionKeepsItPollingOnlyWithAnIoPollWindow() {
        AdaptiveIdle off = adaptive(LONG, 0);
        off.ioCompleted();
        assertEquals(IdleStrategy.SLEEP, off.idle(), "io-poll-window = 0: I/O alone never keeps a shard polling");
        AdaptiveIdle on = adaptive(0, LONG);
        on.ioCompleted();
        assertEquals(IdleStrategy.POLL, on.idle());
    }

    @Test
    void itSleepsOnceTheWindowHasPassed() {
        long window = TimeUnit.MILLISECONDS.toNanos(1);
        AdaptiveIdle idle = adaptive(LONG, window);
        idle.ioCompleted();
        long end = System.nanoTime() + 2 * window;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();   // let the window pass: the test's subject is time
        }
        assertEquals(IdleStrategy.SLEEP, idle.idle());
        idle.busy(true);   // a message reopens the (longer) message window
        assertEquals(IdleStrategy.POLL, idle.idle());
    }

    /** A short I/O window never cuts a longer message window short. */
    @Test
    void theLaterOfTheTwoWindowsCounts() {
        AdaptiveIdle idle = adaptive(LONG, 1);
        idle.busy(true);
        idle.ioCompleted();
        assertEquals(IdleStrategy.POLL, idle.idle());
    }
}
