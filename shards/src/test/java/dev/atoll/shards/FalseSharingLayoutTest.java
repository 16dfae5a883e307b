package dev.atoll.shards;

import dev.atoll.drivers.LeftPadding128;
import dev.atoll.drivers.WakeGate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fields that different threads write sit at least 128 bytes apart (Apple Silicon's cache line), as
 * HotSpot actually laid them out in this JVM (see {@link FieldLayout}).
 */
class FalseSharingLayoutTest {

    private static Class<?> load(String name) throws ClassNotFoundException {
        return Class.forName(name);
    }

    @Test
    void theWakeFlagsOfAShardHaveTheirLineToThemselves() throws ClassNotFoundException {
        FieldLayout.assertIsolated(WakeSignal.class, Set.of("sleeping", "wakePending"),
                List.of(LeftPadding128.class, load("dev.atoll.shards.WakeSignalRightPadding")));
    }

    @Test
    void everyDriversWakeStateHasItsLineToItself() throws ClassNotFoundException {
        // Epoll, kqueue and io_uring drivers keep it in a WakeGate of their own.
        FieldLayout.assertIsolated(WakeGate.class, Set.of("state"),
                List.of(LeftPadding128.class, load("dev.atoll.drivers.WakeGateRightPadding")));
    }

    @Test
    void aMeshQueuesIndexesHaveTheirLinesToThemselves() throws ClassNotFoundException {
        // The sending shard writes `published` once per batch, the receiving one `consumed`: each index is
        // a Sequence of its own, padded on both sides.
        FieldLayout.assertIsolated(Sequence.class, Set.of("value"),
                List.of(LeftPadding128.class, load("dev.atoll.shards.SequenceRightPadding")));
    }

    @Test
    void theStallCounterIsALineAwayFromTheOwnersCounters() {
        // Array elements are laid out by index: the stall detector's counter and the owner's last one.
        long gap = (long) (ShardStats.STALLS - ShardStats.BATCHES_OUT) * Long.BYTES;
        assertTrue(gap >= FieldLayout.SEPARATION, "only " + gap + " bytes");
        long after = (long) (ShardStats.LENGTH - ShardStats.STALLS) * Long.BYTES;
        assertTrue(after >= FieldLayout.SEPARATION, "only " + after + " bytes up to the array's end");
    }
}
