package dev.atoll.shards;

import dev.atoll.drivers.LeftPadding128;
import dev.atoll.drivers.WakeGate;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;
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
    void aMeshQueuesProducerAndConsumerIndexesAreLinesApart() throws ClassNotFoundException {
        // JCTools pads with 128 bytes: the sending shard writes the producer fields, the receiving one the consumer's.
        long producerIndex = FieldLayout.offset(load("org.jctools.queues.varhandle.SpscVarHandleArrayQueueProducerIndexFields"),
                "producerIndex");
        long producerLimit = FieldLayout.offset(load("org.jctools.queues.varhandle.SpscVarHandleArrayQueueProducerIndexFields"),
                "producerLimit");
        long consumerIndex = FieldLayout.offset(load("org.jctools.queues.varhandle.SpscVarHandleArrayQueueConsumerIndexField"),
                "consumerIndex");
        for (long producer : new long[] {producerIndex, producerLimit}) {
            assertTrue(Math.abs(consumerIndex - producer) >= FieldLayout.SEPARATION,
                    "producer field at " + producer + ", consumerIndex at " + consumerIndex + ": "
                            + FieldLayout.of(SpscVarHandleArrayQueue.class));
        }
    }

    @Test
    void theStallCounterIsALineAwayFromTheOwnersCounters() {
        // Array elements are laid out by index: the stall detector's counter and the owner's last one.
        long gap = (long) (ShardStats.STALLS - ShardStats.CANCELLED_AT_STOP) * Long.BYTES;
        assertTrue(gap >= FieldLayout.SEPARATION, "only " + gap + " bytes");
        long after = (long) (ShardStats.LENGTH - ShardStats.STALLS) * Long.BYTES;
        assertTrue(after >= FieldLayout.SEPARATION, "only " + after + " bytes up to the array's end");
    }
}
