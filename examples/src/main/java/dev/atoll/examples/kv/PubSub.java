package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One shard's pub/sub, of one namespace: the classic channels and patterns ({@code SUBSCRIBE},
 * {@code PSUBSCRIBE}) or Redis 7's shard channels ({@code SSUBSCRIBE}: no patterns, delivered as
 * {@code smessage}). It holds the channels and patterns its own connections subscribe to, the delivery of a
 * message to them, and a summary that publishers on any shard read to skip a shard with no subscriber
 * for a channel ({@link #mayReceive}). Touched by its shard's thread, except the summary.
 *
 * <p>The summary is a count per bucket of channel hashes (the channels subscribed here that hash to it)
 * and the number of patterns subscribed here; this shard writes them (volatile stores, rare: on the
 * first subscription to a channel or pattern and the last unsubscription), publishers read them with
 * acquire loads. A bucket shared by another channel only costs a message that delivers to nobody. A
 * SUBSCRIBE's count is stored before its reply is written, so a publisher that learns of the
 * subscription from its reply sees it; one that publishes concurrently may or may not reach it, as
 * with Redis when the two commands race.
 *
 * <p>Messages are appended to each subscriber's output at once, in the order they arrive here (from
 * one publisher's shard: the mesh's FIFO order, so a publisher's messages reach a subscriber in the
 * order it published them); the first delivery of a loop iteration queues one task that writes every
 * subscriber's output, so a pipeline of publishes costs a subscriber one write per iteration, not one
 * per message.
 */
final class PubSub {
    private static final int BUCKETS = 1024;
    private static final byte[] MESSAGE = ReplyWriter.asciiBytes("message");
    private static final byte[] PMESSAGE = ReplyWriter.asciiBytes("pmessage");
    private static final byte[] SMESSAGE = ReplyWriter.asciiBytes("smessage");

    /** A channel or pattern name; a probe of it ({@link #probe}) compares a range of a request in place. */
    static final class Name {
        final byte[] bytes;
        final int offset;
        final int length;
        final int hash;

        Name(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
            this.hash = KeyTable.hash(bytes, offset, length);
        }

        /** A stored name: its own copy of the bytes. */
        static Name copyOf(byte[] bytes, int offset, int length) {
            return new Name(Arrays.copyOfRange(bytes, offset, offset + length), 0, length);
        }

        byte[] copy() {
            return offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset, offset + length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Name n && n.hash == hash
                    && Arrays.equals(bytes, offset, offset + length, n.bytes, n.offset, n.offset + n.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** What one connection subscribes to, in the order it subscribed (Redis's replies list them so). */
    static final class Subscriptions {
        final Set<Name> channels = new LinkedHashSet<>();
        final Set<Name> patterns = new LinkedHashSet<>();
        final Set<Name> shardChannels = new LinkedHashSet<>();

        /** The count (P)(UN)SUBSCRIBE confirm with: channels and patterns, as Redis 7.0 (shard channels apart). */
        int count() {
            return channels.size() + patterns.size();
        }

        /** Whether it subscribes to anything, shard channels included (the RESP2 subscribed context). */
        boolean any() {
            return count() + shardChannels.size() > 0;
        }
    }

    private final KvShard shard;
    /** Shard channels (SSUBSCRIBE) rather than channels and patterns. */
    private final boolean sharded;
    private final Map<Name, Set<KvConnection>> channels = new HashMap<>();
    private final Map<Name, Set<KvConnection>> patterns = new HashMap<>();
    /** Per bucket of channel hashes: the channels subscribed here in it. Written here, read by any shard. */
    private final AtomicIntegerArray channelBuckets = new AtomicIntegerArray(BUCKETS);
    /** Patterns subscribed here. Written here, read by any shard. */
    private volatile int patternCount;
    /** Subscribers whose output took messages since the last write task, and whether that task is queued. */
    private final List<KvConnection> written = new ArrayList<>();
    private boolean writeQueued;
    /** A publish's target shards: filled by {@link #othersThatMayReceive}, read by {@link #sendToOthers} right after. */
    private int[] targets;

    PubSub(KvShard shard, boolean sharded) {
        this.shard = shard;
        this.sharded = sharded;
    }

    /** The set of {@code own} this namespace keeps {@code pattern} subscriptions in. */
    private Set<Name> own(Subscriptions own, boolean pattern) {
        return sharded ? own.shardChannels : pattern ? own.patterns : own.channels;
    }

    /** What a shard that was sent a message does with the number of its subscribers that received it, on its thread. */
    interface Received {
        void count(long receivers);
    }

    /**
     * The other shards whose summary says they may have a subscriber of a channel of {@code hash} in this
     * namespace, each summary read once (a shard that says so must then be sent the message, which it
     * answers: {@link #sendToOthers}); returns their count. With {@link #sendToOthers}, the fan-out of
     * PUBLISH and of the keyspace notifications; apart so that a publish that reaches no other shard
     * copies nothing.
     */
    int othersThatMayReceive(KvNode node, int hash) {
        if (targets == null) {
            targets = new int[node.shardCount()]; // reused: nothing allocated per publish for it
        }
        int count = 0;
        for (KvShard other : node.shards) {
            if (other != shard && namespaceOf(other).mayReceive(hash)) {
                targets[count++] = other.id;
            }
        }
        return count;
    }

    /**
     * Sends the message {@code message} on {@code channel} (arrays nothing changes afterwards) to the
     * {@code count} shards {@link #othersThatMayReceive} found: each delivers it to its own subscribers, then
     * gives their number to {@code received} (null: not wanted) on its thread. A shard whose mesh queue is
     * full goes to {@code refused} (null: the message is dropped for it).
     */
    void sendToOthers(KvNode node, int count, Name channel, byte[] message, Received received,
                      java.util.function.IntConsumer refused) {
        for (int i = 0; i < count; i++) {
            PubSub there = namespaceOf(node.shards[targets[i]]);
            Runnable delivery = () -> {
                long n = there.deliver(channel, message, 0, message.length);
                if (received != null) {
                    received.count(n);
                }
            };
            if (!shard.shard().send(targets[i], delivery) && refused != null) {
                refused.accept(targets[i]);
            }
        }
    }

    /** This namespace on {@code other}. */
    private PubSub namespaceOf(KvShard other) {
        return sharded ? other.shardPubSub : other.pubsub;
    }

    /** Whether a message on a channel of hash {@code hash} may have a subscriber here. Any shard's thread. */
    boolean mayReceive(int hash) {
        return patternCount > 0 || channelBuckets.getAcquire(hash & (BUCKETS - 1)) > 0;
    }

    /** Subscribes {@code c}; false if it already was. */
    boolean subscribe(KvConnection c, Name name, boolean pattern) {
        if (!own(c.subscriptions(), pattern).add(name)) {
            return false;
        }
        Map<Name, Set<KvConnection>> map = pattern ? patterns : channels;
        Set<KvConnection> subscribers = map.get(name);
        if (subscribers == null) {
            subscribers = new LinkedHashSet<>();
            map.put(name, subscribers);
            publishSummary(name, pattern, 1);
        }
        subscribers.add(c);
        return true;
    }

    /** Unsubscribes {@code c}; false if it was not subscribed. */
    boolean unsubscribe(KvConnection c, Name name, boolean pattern) {
        if (!own(c.subscriptions(), pattern).remove(name)) {
            return false;
        }
        Map<Name, Set<KvConnection>> map = pattern ? patterns : channels;
        Set<KvConnection> subscribers = map.get(name);
        subscribers.remove(c);
        if (subscribers.isEmpty()) {
            map.remove(name);
            publishSummary(name, pattern, -1);
        }
        return true;
    }

    /** A channel or pattern gained its first subscriber here (+1) or lost its last (-1): volatile stores. */
    private void publishSummary(Name name, boolean pattern, int delta) {
        if (pattern) {
            patternCount = patterns.size();
        } else {
            int bucket = name.hash & (BUCKETS - 1);
            channelBuckets.set(bucket, channelBuckets.getPlain(bucket) + delta);
        }
    }

    /** A connection closes: it leaves every channel and pattern of this namespace. */
    void unsubscribeAll(KvConnection c) {
        Subscriptions own = c.subscriptions();
        for (Name n : List.copyOf(own(own, false))) {
            unsubscribe(c, n, false);
        }
        if (!sharded) {
            for (Name n : List.copyOf(own.patterns)) {
                unsubscribe(c, n, true);
            }
        }
    }

    /**
     * Delivers a message to this shard's subscribers of {@code channel} and of the patterns it matches
     * (a pattern match as {@code pmessage}); returns how many received it (a client subscribed to the
     * channel and to two matching patterns counts three times, as in Redis).
     */
    long deliver(Name channel, byte[] message, int messageOffset, int messageLength) {
        long receivers = 0;
        Set<KvConnection> direct = channels.get(channel);
        if (direct != null) {
            for (KvConnection c : direct) {
                ReplyWriter out = c.pushOut();
                if (out != null) {
                    out.pushHeader(3).bulk(sharded ? SMESSAGE : MESSAGE).bulk(channel.bytes, channel.offset, channel.length)
                            .bulk(message, messageOffset, messageLength);
                    pushed(c);
                }
                receivers++;
            }
        }
        if (!patterns.isEmpty()) {
            byte[] text = channel.copy();
            for (Map.Entry<Name, Set<KvConnection>> p : patterns.entrySet()) {
                if (!Glob.matches(p.getKey().bytes, text)) {
                    continue;
                }
                for (KvConnection c : p.getValue()) {
                    ReplyWriter out = c.pushOut();
                    if (out != null) {
                        out.pushHeader(4).bulk(PMESSAGE).bulk(p.getKey().bytes).bulk(text)
                                .bulk(message, messageOffset, messageLength);
                        pushed(c);
                    }
                    receivers++;
                }
            }
        }
        return receivers;
    }

    /**
     * A message was appended to {@code c}'s {@link KvConnection#pushOut}: ends it, and writes the output
     * of every connection pushed to this loop iteration in one task (MONITOR's lines too).
     */
    void pushed(KvConnection c) {
        c.pushDone();
        if (!c.pushQueued) {
            c.pushQueued = true;
            written.add(c);
        }
        if (!writeQueued) {
            writeQueued = true;
            shard.shard().execute(this::writeAll);
        }
    }

    /** Once per loop iteration with deliveries: each subscriber's limits checked, its output written. */
    private void writeAll() {
        writeQueued = false;
        for (int i = 0; i < written.size(); i++) {
            KvConnection c = written.get(i);
            c.pushQueued = false;
            c.pushesWritten();
        }
        written.clear();
    }

    /** How many of this shard's connections subscribe to {@code channel}. */
    int subscribers(Name channel) {
        Set<KvConnection> s = channels.get(channel);
        return s == null ? 0 : s.size();
    }

    /** The channels subscribed here that match {@code pattern} (null: all). */
    List<byte[]> channels(byte[] pattern) {
        List<byte[]> names = new ArrayList<>();
        for (Name n : channels.keySet()) {
            if (pattern == null || Glob.matches(pattern, n.bytes)) {
                names.add(n.bytes);
            }
        }
        return names;
    }

    /** The patterns subscribed here. */
    List<byte[]> patterns() {
        List<byte[]> names = new ArrayList<>();
        for (Name n : patterns.keySet()) {
            names.add(n.bytes);
        }
        return names;
    }
}
