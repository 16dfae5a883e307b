package dev.atoll.shards;

/**
 * The queue from one shard to another: a single-producer/single-consumer ring of (receiver, message)
 * pairs that moves in batches. The sender fills slots with plain stores during a loop iteration and
 * publishes them all with one release store of {@link #published} when it flushes; the receiver takes
 * every published pair in one pass and frees the slots with one release store of {@link #consumed}.
 * So a batch of messages costs the two cores one exchange of each index's cache line, not one per
 * message (JCTools' {@code SpscArrayQueue} publishes every element).
 *
 * <p>The sender's own positions (next slot, last published, how far it may fill without reading the
 * consumer's index) live in its {@link Outbox}, which only the sender touches; this object holds
 * what both read: the slots and the two padded indexes.
 */
final class MeshQueue {
    /** How the receiving shard handles each pair it drains. */
    @FunctionalInterface
    interface Handler {
        void handle(Object receiver, Object message);
    }

    /** Messages after which a long drain frees their slots for the sender: a power of two. */
    private static final int RELEASE_EVERY = 128;

    /** Two slots per message: the receiver at an even index, the message after it. */
    private final Object[] slots;
    private final int mask;
    final int capacity;
    /** Written by the sender (release), read by the receiver (acquire): pairs below it are complete. */
    private final Sequence published = new Sequence();
    /** Written by the receiver (release), read by the sender (acquire): slots below it are free again. */
    private final Sequence consumed = new Sequence();

    /** A queue of at least {@code capacity} messages (rounded up to a power of two). */
    MeshQueue(int capacity) {
        int rounded = capacity <= 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        this.capacity = rounded;
        this.mask = rounded - 1;
        this.slots = new Object[rounded * 2];
    }

    // ---- the sender (through its Outbox) ----

    /**
     * Fills the slot of message number {@code index}, which the caller knows to be free. The receiver
     * is stored only when it differs from the one the slot still holds: receivers are long-lived (an
     * actor, a shard's task runner) and mostly the same, and a load costs less than a store with the
     * collector's barrier.
     */
    void put(long index, Object receiver, Object message) {
        int i = (int) (index & mask) << 1;
        Object[] s = slots;
        if (s[i] != receiver) {
            s[i] = receiver;
        }
        s[i + 1] = message;
    }

    /** Makes every message below {@code index} visible to the receiver. */
    void publish(long index) {
        published.release(index);
    }

    /** The receiver's position; the slots below it (and the receiver's clearing of them) are the sender's again. */
    long consumed() {
        return consumed.acquire();
    }

    // ---- the receiver ----

    /**
     * Hands up to {@code limit} published pairs to {@code handler}, oldest first, freeing their slots
     * every {@link #RELEASE_EVERY} messages and at the end (so a sender that filled the queue can go on
     * while a long batch is handled). Returns how many.
     */
    int drain(Handler handler, int limit) {
        long head = consumed.plain();
        long available = published.acquire() - head;
        if (available <= 0) {
            return 0;
        }
        int n = (int) Math.min(available, limit);
        Object[] s = slots;
        for (int k = 0; k < n; k++) {
            int i = (int) ((head + k) & mask) << 1;
            Object message = s[i + 1];
            // Not kept alive by the queue. The receiver stays in its slot (see put); the release below
            // orders this store before the sender's reuse of the slot.
            s[i + 1] = null;
            handler.handle(s[i], message);
            if ((k & (RELEASE_EVERY - 1)) == RELEASE_EVERY - 1) {
                consumed.release(head + k + 1);
            }
        }
        consumed.release(head + n);
        return n;
    }

    /** Receiver: whether a published message waits (acquire: the Dekker re-check before sleeping). */
    boolean hasPublished() {
        return published.acquire() != consumed.plain();
    }

    /** Any thread (metrics): messages published and not yet drained, from opaque loads of both indexes. */
    long waiting() {
        return Math.max(0, published.opaque() - consumed.opaque());
    }

    /** Receiver, while spinning: whether a published message waits, without a fence. */
    boolean peekPublished() {
        return published.opaque() != consumed.plain();
    }
}
