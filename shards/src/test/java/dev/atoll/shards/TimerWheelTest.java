package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerWheelTest {
    private static final long TICK = 1_000_000;   // 1 ms

    /** A wheel driven by a synthetic clock, so the test is exact and takes no time. */
    private final TimerWheel wheel = new TimerWheel(0, TICK, 16);
    private final List<Long> firedAt = new ArrayList<>();
    private final List<String> fired = new ArrayList<>();

    private Timer at(long deadline, String name, long[] clock) {
        return wheel.schedule(deadline, () -> {
            fired.add(name);
            firedAt.add(clock[0]);
            assertTrue(clock[0] >= deadline, name + " fired at " + clock[0] + " before its deadline " + deadline);
        });
    }

    @Test
    void neverFiresEarlyAndFiresInDeadlineOrder() {
        long[] clock = {0};
        Random random = new Random(42);
        List<long[]> deadlines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            long deadline = random.nextLong(0, 100 * TICK);   // several rotations of a 16-slot wheel
            deadlines.add(new long[]{deadline, i});
            at(deadline, Long.toString(deadline) + "#" + i, clock);
        }
        long previous = -1;
        int count = 0;
        for (clock[0] = 0; clock[0] <= 101 * TICK; clock[0] += random.nextLong(1, TICK / 3)) {
            int before = fired.size();
            wheel.advance(clock[0], Runnable::run);
            for (int k = before; k < fired.size(); k++) {
                long deadline = Long.parseLong(fired.get(k).split("#")[0]);
                assertTrue(deadline >= previous, "fired out of order: " + deadline + " after " + previous);
                previous = deadline;
                count++;
            }
        }
        assertEquals(2000, count);
        assertEquals(0, wheel.size());
    }

    @Test
    void aTimerReArmedForAPassedTimeFiresOnTheNextAdvanceEvenIfTheClockStandsStill() {
        long[] clock = {0};
        long period = 10 * TICK;
        long[] next = {period};
        Runnable[] periodic = new Runnable[1];
        periodic[0] = () -> {
            fired.add("tick");
            next[0] += period;
            wheel.schedule(next[0], periodic[0]);   // as a fixed-rate actor timer re-arms itself
        };
        wheel.schedule(next[0], periodic[0]);
        clock[0] = 35 * TICK;                        // a manual clock jumps over three periods at once
        assertEquals(1, wheel.advance(clock[0], Runnable::run));
        assertEquals(1, wheel.advance(clock[0], Runnable::run));
        assertEquals(1, wheel.advance(clock[0], Runnable::run));
        assertEquals(0, wheel.advance(clock[0], Runnable::run), "the fourth period has not come");
        assertEquals(List.of("tick", "tick", "tick"), fired);
        clock[0] = 40 * TICK;
        assertEquals(1, wheel.advance(clock[0], Runnable::run));
    }

    @Test
    void firesWithinOneTickOfTheDeadline() {
        long[] clock = {0};
        at(5 * TICK + 1, "a", clock);
        for (clock[0] = 0; clock[0] <= 7 * TICK; clock[0] += TICK / 10) {
            wheel.advance(clock[0], Runnable::run);
        }
        assertEquals(List.of("a"), fired);
        long late = firedAt.get(0) - (5 * TICK + 1);
        assertTrue(late >= 0 && late <= TICK + TICK / 10, "fired " + late + " ns late");
    }

    @Test
    void cancelledTimerNeverFires() {
        long[] clock = {0};
        Timer a = at(3 * TICK, "a", clock);
        at(3 * TICK, "b", clock);
        assertTrue(a.cancel());
        assertFalse(a.cancel());
        clock[0] = 10 * TICK;
        wheel.advance(clock[0], Runnable::run);
        assertEquals(List.of("b"), fired);
        assertTrue(a.isDone());
    }

    @Test
    void aTimerCancelledByAnEarlierOneInTheSameAdvanceDoesNotFire() {
        long[] clock = {0};
        Timer[] later = new Timer[1];
        wheel.schedule(TICK, () -> later[0].cancel());
        later[0] = at(2 * TICK, "later", clock);
        clock[0] = 5 * TICK;
        wheel.advance(clock[0], Runnable::run);
        assertEquals(List.of(), fired);
    }

    @Test
    void timerScheduledForThePastFiresOnTheNextAdvanceNotEarlier() {
        long[] clock = {10 * TICK};
        wheel.advance(clock[0], Runnable::run);
        at(2 * TICK, "past", clock);
        wheel.advance(clock[0], Runnable::run);          // same tick: already processed
        clock[0] += TICK;
        wheel.advance(clock[0], Runnable::run);
        assertEquals(List.of("past"), fired);
    }

    @Test
    void nextDeadlineIsTheTickOfTheEarliestTimer() {
        assertEquals(-1, wheel.nextDeadline());
        long[] clock = {0};
        at(40 * TICK, "far", clock);                     // beyond one rotation of 16 ticks
        assertEquals(16 * TICK, wheel.nextDeadline());   // wake at the end of the rotation, re-check
        at(3 * TICK + 5, "near", clock);
        assertEquals(4 * TICK, wheel.nextDeadline());
    }

    @Test
    void cancelAllEmptiesTheWheel() {
        long[] clock = {0};
        for (int i = 0; i < 100; i++) {
            at(i * TICK / 2, "t" + i, clock);
        }
        assertEquals(100, wheel.cancelAll());
        assertEquals(0, wheel.size());
        wheel.advance(1000 * TICK, Runnable::run);
        assertTrue(fired.isEmpty());
    }
}
