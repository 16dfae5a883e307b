package dev.atoll.shards;

import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.util.ArrayDeque;

/**
 * One sender shard's side of the queue to one target shard: the SPSC queue itself and the ordered
 * overflow list that holds envelopes while the queue is full, so a send never blocks and never
 * reorders.
 */
final class Outbox {
    final Shard target;
    final SpscVarHandleArrayQueue<Runnable> queue;
    final ArrayDeque<Runnable> overflow = new ArrayDeque<>();
    /** Sent to in this loop iteration: its target needs the wake check. */
    boolean touched;
    /** Envelopes that entered the queue since the last flush (counted once per flush, not per send). */
    int sent;

    Outbox(Shard target, SpscVarHandleArrayQueue<Runnable> queue) {
        this.target = target;
        this.queue = queue;
    }

    /** Moves parked envelopes into the queue, oldest first, while it has room. Returns how many moved. */
    int drainOverflow() {
        int moved = 0;
        Runnable head;
        while ((head = overflow.peekFirst()) != null && queue.offer(head)) {
            overflow.pollFirst();
            moved++;
        }
        return moved;
    }
}
