package dev.atoll.shards;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim rules of the wake protocol, one interleaving at a time (single thread playing both sides). */
class WakeSignalTest {
    private final WakeSignal signal = new WakeSignal();

    @Test
    void onlyASleepingShardIsClaimedAndOnlyOncePerSleep() {
        assertFalse(signal.claimWake(), "awake: no wake needed");
        signal.beginSleep();
        assertTrue(signal.claimWake(), "the first waker of a sleep makes the system call");
        assertFalse(signal.claimWake(), "later wakers of the same sleep do not");
        signal.endSleep();
        assertFalse(signal.claimWake());
    }

    @Test
    void aClaimLeftOverFromAnEarlierSleepDoesNotBlockTheNextOne() {
        signal.beginSleep();
        signal.endSleep();
        // A waker that read sleeping = 1 before the sleep ended lands its CAS only now.
        signal.wakePending = 1;
        signal.beginSleep();
        assertTrue(signal.claimWake(), "the next sleep must still be wakeable");
    }
}
