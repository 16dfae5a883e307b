package dev.atoll.shards;

import java.util.ArrayDeque;

/**
 * One sender shard's side of the queue to one target shard, touched only by the sender: where it
 * writes next, what it has published, and the ordered overflow list that holds (receiver, message)
 * pairs while the queue is full, so a send never blocks and never reorders.
 */
final class Outbox {
    /**
     * Messages after which a sender publishes without waiting for its flush, as Seastar's queues do
     * every 16: a long iteration's first messages are handled by the target while the rest are still
     * being sent, instead of the two shards taking turns. The flush still does the one wake check.
     */
    static final int PUBLISH_EVERY = 32;

    final Shard target;
    final MeshQueue queue;
    /** Parked pairs, receiver then message, oldest first. */
    private final ArrayDeque<Object> overflow = new ArrayDeque<>();
    /** Sent to in this loop iteration (or still parked): it needs the flush. */
    boolean touched;
    /** The next message number to fill. */
    private long tail;
    /** Messages below it were published. */
    private long published;
    /** Messages below it were counted by a flush (which wakes the target if it sleeps). */
    private long flushed;
    /** The sender may fill up to here without reading the receiver's index (its last reading + capacity). */
    private long fillLimit;

    Outbox(Shard target, MeshQueue queue) {
        this.target = target;
        this.queue = queue;
        this.fillLimit = queue.capacity;
    }

    /** Messages parked in the overflow list. */
    int parked() {
        return overflow.size() >> 1;
    }

    /**
     * Puts the pair in the queue unless it is full or pairs are parked (order). Published at the next
     * {@link #flush()}, or before it once {@link #PUBLISH_EVERY} messages wait.
     */
    boolean offer(Object receiver, Object message) {
        if (!overflow.isEmpty() || !hasRoom()) {
            return false;
        }
        append(receiver, message);
        return true;
    }

    void park(Object receiver, Object message) {
        overflow.addLast(receiver);
        overflow.addLast(message);
    }

    /** Moves parked pairs into the queue, oldest first, while it has room. Returns how many moved. */
    int drainOverflow() {
        int moved = 0;
        while (!overflow.isEmpty() && hasRoom()) {
            append(overflow.pollFirst(), overflow.pollFirst());
            moved++;
        }
        return moved;
    }

    /**
     * The flush: publishes what is not yet published (one release store) and returns how many messages
     * entered the queue since the last flush, those published early included: the caller then fences and
     * wakes the target if it sleeps, so an early publication never goes without its wake check.
     */
    int flush() {
        if (tail != published) {
            publish();
        }
        int n = (int) (tail - flushed);
        flushed = tail;
        return n;
    }

    /** Whether a slot is free; reads the receiver's index only when the last reading is used up. */
    private boolean hasRoom() {
        if (tail < fillLimit) {
            return true;
        }
        fillLimit = queue.consumed() + queue.capacity;
        return tail < fillLimit;
    }

    private void append(Object receiver, Object message) {
        queue.put(tail, receiver, message);
        tail++;
        if (tail - published >= PUBLISH_EVERY) {
            publish();   // the receiver may start on these while this iteration goes on
        }
    }

    private void publish() {
        published = tail;
        queue.publish(tail);
    }

    /** After the runtime stopped (threads joined): takes the next parked pair's message, or null. */
    Object pollParkedMessage() {
        if (overflow.pollFirst() == null) {
            return null;
        }
        return overflow.pollFirst();
    }
}
