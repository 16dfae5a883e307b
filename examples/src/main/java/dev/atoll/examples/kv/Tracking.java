package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Client-side caching (Redis 6+ {@code CLIENT TRACKING}) on one shard, in its two roles.
 *
 * <p>As the owner of keys: the tracking table (the keys of this shard that tracking clients read, each
 * with the clients, by id and home shard, that read it) and the prefix table (the BCAST prefixes of
 * every shard's clients, each with the keys written since the last broadcast). A write of a key — a
 * command, a round of a cross-shard command, an expiry, an eviction — sends one invalidation to each
 * client that read it and forgets them (Redis's one-shot semantics); a key that matches a prefix is
 * collected, and once per loop iteration each prefix's keys go to its clients as one message (Redis
 * sends them before it sleeps). The table holds at most {@code tracking-table-max-keys} divided by
 * the shard count keys: beyond, the oldest are invalidated and forgotten.
 *
 * <p>As the home of connections: its tracking clients by id (an invalidation for a client that turned
 * tracking off, or closed, is dropped here), and the redirect targets other clients named: an
 * invalidation crosses the mesh to the client's home shard, which pushes it ({@code >2 invalidate
 * [keys]} in RESP3) or sends it on to its redirect target's shard (there a RESP2 target that is
 * subscribed receives a {@code message} on {@code __redis__:invalidate}); a target that closed makes
 * the client's shard push {@code tracking-redir-broken}. Invalidations travel as replies on the mesh
 * (never refused) and, to a client of this shard, as a task of a later step: they follow the reply of
 * the command that caused them.
 *
 * <p>Touched by its shard's thread only. Nobody tracking, a read costs one boolean test and a write one
 * more ({@link #active}).
 */
final class Tracking {
    private static final byte[] INVALIDATE = ReplyWriter.asciiBytes("invalidate");
    private static final byte[] REDIR_BROKEN = ReplyWriter.asciiBytes("tracking-redir-broken");
    private static final byte[] MESSAGE = ReplyWriter.asciiBytes("message");
    private static final byte[] CHANNEL = ReplyWriter.asciiBytes("__redis__:invalidate");
    private static final byte[] NULL_BULK = ReplyWriter.asciiBytes("$-1\r\n");

    /** A client that read keys of this shard: its id, its connection's shard, and those keys. */
    private static final class Reader {
        final long id;
        final int home;
        final HashSet<ByteKey> keys = new HashSet<>();

        Reader(long id, int home) {
            this.id = id;
            this.home = home;
        }
    }

    /** A BCAST client of a prefix. */
    private record Subscriber(long id, int home, boolean noLoop) {
    }

    /** A BCAST prefix of one or more clients, with the keys written since the last broadcast and who wrote each. */
    private static final class Prefix {
        final byte[] bytes;
        final List<Subscriber> subscribers = new ArrayList<>(2);
        final LinkedHashMap<ByteKey, Long> written = new LinkedHashMap<>();

        Prefix(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean matches(byte[] b, int offset, int length) {
            return length >= bytes.length && java.util.Arrays.equals(bytes, 0, bytes.length, b, offset, offset + bytes.length);
        }
    }

    private final KvShard shard;
    private KvNode node;
    /**
     * The connection whose client-side caching remembers the keys of the read-only command executing now
     * here; set by whoever executes it (a local command, a batch, a transaction's part), null: none.
     * Only its final fields are read here (its id and shard), when it is another shard's.
     */
    KvConnection reader;

    // ---- owner: the tracking table and the prefix table ----
    /** Key to the clients that read it, oldest key first (the first evicted). */
    private final LinkedHashMap<ByteKey, List<Reader>> keys = new LinkedHashMap<>();
    private final HashMap<Long, Reader> readers = new HashMap<>();
    private final List<Prefix> prefixes = new ArrayList<>();
    private boolean broadcastQueued;

    // ---- home: this shard's tracking clients and redirect targets ----
    private final HashMap<Long, KvConnection> clients = new HashMap<>();
    private final HashMap<Long, KvConnection> targets = new HashMap<>();

    Tracking(KvShard shard) {
        this.shard = shard;
    }

    void start(KvNode node) {
        this.node = node;
    }

    /** Whether a write here may have someone to invalidate: keys tracked or prefixes registered. */
    boolean active() {
        return !keys.isEmpty() || !prefixes.isEmpty();
    }

    /** INFO's tracking_total_keys, tracking_total_items (a key and a client that read it), tracking_total_prefixes here. */
    long[] counts() {
        long items = 0;
        for (Reader reader : readers.values()) {
            items += reader.keys.size();
        }
        return new long[] {keys.size(), items, prefixes.size()};
    }

    // ---- the hook of a command executed here (KvShard.execute) ----

    /**
     * After a command ran here: a tracked read remembers its keys for {@code reader}; a write that
     * answered no error invalidates its keys.
     */
    void after(Command command, Request r, ReplyWriter out, int mark, KvConnection executingFor) {
        if (reader != null) {
            remember(command, r, reader);
            reader = null;
        } else if (command.writes && active() && !(out.size() > mark && out.bytes()[mark] == '-')) {
            long writer = executingFor == null ? 0 : executingFor.id;
            int[] indexes = CommandKeys.indexes(command, r);
            for (int k = 0; k < indexes.length; k++) {
                if (writes(command, k, indexes.length)) {
                    int i = indexes[k];
                    changed(r.bytes, r.offset(i), r.length(i), writer);
                }
            }
        }
    }

    /**
     * Whether write command {@code command} writes its {@code k}th key of {@code keys} ({@link CommandKeys#indexes}'
     * order): a store writes only its destination, not its sources, as Redis signals it.
     */
    private static boolean writes(Command command, int k, int keys) {
        return switch (command) {
            case SINTERSTORE, SUNIONSTORE, SDIFFSTORE, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE, BITOP, PFMERGE,
                 GEOSEARCHSTORE -> k == 0;
            case COPY, SORT -> k == 1;                             // COPY's destination, SORT's STORE key
            case GEORADIUS, GEORADIUSBYMEMBER -> k == 0 && keys == 2; // STORE's key first
            default -> true;
        };
    }

    private void remember(Command command, Request r, KvConnection client) {
        Reader reader = readers.get(client.id);
        if (reader == null) {
            reader = new Reader(client.id, client.home.id);
            readers.put(client.id, reader);
        }
        for (int i : CommandKeys.indexes(command, r)) {
            ByteKey key = ByteKey.of(r.bytes, r.offset(i), r.length(i));
            if (reader.keys.add(key)) {
                keys.computeIfAbsent(key, k -> new ArrayList<>(2)).add(reader);
            }
        }
        long max = node == null ? 0 : node.trackingTableMaxKeys;
        if (max > 0) {
            long limit = Math.max(1, max / node.shardCount());
            Iterator<Map.Entry<ByteKey, List<Reader>>> oldest = keys.entrySet().iterator();
            while (keys.size() > limit && oldest.hasNext()) {
                Map.Entry<ByteKey, List<Reader>> e = oldest.next();
                oldest.remove();
                invalidate(e.getKey(), e.getValue(), 0); // as Redis: the evicted key's readers are told
            }
        }
    }

    /** A key changed here outside a command's hook (an expiry, an eviction, a deletion, a round): its invalidations. */
    void changed(byte[] b, int offset, int length) {
        if (active()) {
            changed(b, offset, length, shard.executingFor == null ? 0 : shard.executingFor.id);
        }
    }

    private void changed(byte[] b, int offset, int length, long writer) {
        ByteKey key = null;
        if (!keys.isEmpty()) {
            key = ByteKey.of(b, offset, length);
            List<Reader> read = keys.remove(key);
            if (read != null) {
                invalidate(key, read, writer);
            }
        }
        for (Prefix p : prefixes) {
            if (p.matches(b, offset, length)) {
                p.written.put(key == null ? key = ByteKey.of(b, offset, length) : key, writer);
                if (!broadcastQueued) {
                    broadcastQueued = true;
                    shard.shard().execute(this::broadcast);
                }
            }
        }
    }

    /** Sends {@code key}'s invalidation to each of its readers, which forget it. */
    private void invalidate(ByteKey key, List<Reader> read, long writer) {
        byte[][] one = {key.bytes()};
        for (Reader reader : read) {
            reader.keys.remove(key);
            if (reader.keys.isEmpty()) {
                readers.remove(reader.id);
            }
            toHome(reader.id, reader.home, one, writer, false);
        }
    }

    /** Once per loop iteration with keys written under a prefix: each prefix's keys to each of its clients. */
    private void broadcast() {
        broadcastQueued = false;
        for (Prefix p : prefixes) {
            if (p.written.isEmpty()) {
                continue;
            }
            for (Subscriber s : p.subscribers) {
                List<byte[]> sent = new ArrayList<>(p.written.size());
                for (Map.Entry<ByteKey, Long> e : p.written.entrySet()) {
                    if (!s.noLoop() || e.getValue() != s.id()) {
                        sent.add(e.getKey().bytes());
                    }
                }
                if (!sent.isEmpty()) {
                    toHome(s.id(), s.home(), sent.toArray(new byte[0][]), 0, true);
                }
            }
            p.written.clear();
        }
    }

    /** FLUSHALL, FLUSHDB: the table forgets everything; each tracking client of this shard is told once (a null). */
    void flushed() {
        keys.clear();
        readers.clear();
        for (KvConnection c : clients.values()) {
            send(c, null);
        }
    }

    /** Every shard: {@code id} stops tracking (OFF, a new mode, the end of its connection): its entries go. */
    void forget(long id) {
        Reader reader = readers.remove(id);
        if (reader != null) {
            for (ByteKey key : reader.keys) {
                List<Reader> read = keys.get(key);
                read.remove(reader);
                if (read.isEmpty()) {
                    keys.remove(key);
                }
            }
        }
        unsubscribe(id);
    }

    /** Every shard: the BCAST client {@code id} of shard {@code home} now has {@code names} (its whole list). */
    void subscribe(long id, int home, boolean noLoop, List<byte[]> names) {
        unsubscribe(id);
        Subscriber s = new Subscriber(id, home, noLoop);
        for (byte[] name : names) {
            Prefix p = null;
            for (Prefix q : prefixes) {
                if (java.util.Arrays.equals(q.bytes, name)) {
                    p = q;
                }
            }
            if (p == null) {
                p = new Prefix(name);
                prefixes.add(p);
            }
            p.subscribers.add(s);
        }
    }

    private void unsubscribe(long id) {
        prefixes.removeIf(p -> {
            p.subscribers.removeIf(s -> s.id() == id);
            return p.subscribers.isEmpty();
        });
    }

    // ---- home: deliveries to this shard's connections ----

    /** Sends keys (null: a flush) to client {@code id} on its shard {@code home}: a reply on the mesh, or a later task here. */
    private void toHome(long id, int home, byte[][] names, long writer, boolean bcast) {
        KvShard there = node.shards[home];
        shard.shard().sendReply(home, () -> there.tracking.deliver(id, names, writer, bcast));
    }

    /** On the client's shard: pushes the invalidation, unless it no longer tracks so (or wrote the key itself, NOLOOP). */
    private void deliver(long id, byte[][] names, long writer, boolean bcast) {
        KvConnection c = clients.get(id);
        if (c == null || c.tracking == null || !c.tracking.on || c.tracking.bcast != bcast
                || (!bcast && c.tracking.noLoop && writer == id)) {
            return;
        }
        send(c, names);
    }

    /** Pushes to {@code c}, or to its redirect target's shard. */
    private void send(KvConnection c, byte[][] names) {
        ClientTracking t = c.tracking;
        if (t.redirect == 0) {
            if (c.resp3()) {
                push(c, names, false);
            }
            return; // RESP2 without a redirect: there is no way to push (as Redis)
        }
        long target = t.redirect;
        long id = c.id;
        int home = shard.id;
        KvShard there = node.shards[t.redirectShard];
        shard.shard().sendReply(there.id, () -> there.tracking.toTarget(target, id, home, names));
    }

    /** On the redirect target's shard: the push or the message, or, when it closed, the news back to the client. */
    private void toTarget(long target, long client, int home, byte[][] names) {
        KvConnection c = targets.get(target);
        if (c != null) {
            push(c, names, true);
            return;
        }
        KvShard there = node.shards[home];
        shard.shard().sendReply(home, () -> there.tracking.redirectBroken(client, target));
    }

    private void redirectBroken(long id, long target) {
        KvConnection c = clients.get(id);
        if (c == null || c.tracking == null || !c.tracking.on || c.tracking.redirect != target) {
            return;
        }
        c.tracking.brokenRedirect = true;
        ReplyWriter out = c.resp3() ? c.pushOut() : null;
        if (out != null) {
            out.pushHeader(2).bulk(REDIR_BROKEN).integer(target);
            shard.pubsub.pushed(c);
        }
    }

    /** {@code >2 invalidate [keys]} (RESP3), or to a subscribed RESP2 redirect target a message on {@code __redis__:invalidate}. */
    private void push(KvConnection c, byte[][] names, boolean redirected) {
        boolean resp3 = c.resp3();
        if (!resp3 && !(redirected && c.subscribed())) {
            return;
        }
        ReplyWriter out = c.pushOut();
        if (out == null) {
            return;
        }
        if (resp3) {
            out.pushHeader(2).bulk(INVALIDATE);
        } else {
            out.arrayHeader(3).bulk(MESSAGE).bulk(CHANNEL);
        }
        if (names == null) {
            out.raw(resp3 ? ReplyWriter.asciiBytes("_\r\n") : NULL_BULK);
        } else {
            out.arrayHeader(names.length);
            for (byte[] name : names) {
                out.bulk(name);
            }
        }
        shard.pubsub.pushed(c);
    }

    // ---- home: the connection's life ----

    /** {@code c}, of this shard, tracks now (CLIENT TRACKING ON). */
    void enabled(KvConnection c) {
        if (clients.put(c.id, c) == null) {
            node.trackingClients.incrementAndGet();
        }
    }

    /** {@code c} stops tracking (OFF, its end): every shard forgets its reads and prefixes, after its commands already sent. */
    void disabled(KvConnection c) {
        if (clients.remove(c.id) == null) {
            return;
        }
        node.trackingClients.decrementAndGet();
        everyShard(other -> other.tracking.forget(c.id));
    }

    /** Runs {@code work} on every shard, after the commands this shard already queued for them (the mesh's order). */
    void everyShard(java.util.function.Consumer<KvShard> work) {
        shard.batches.sendAll();
        for (KvShard other : node.shards) {
            shard.shard().sendReply(other.id, () -> work.accept(other));
        }
    }

    /** {@code c} of this shard is the redirect target of a client (found by CLIENT TRACKING ... REDIRECT). */
    void target(KvConnection c) {
        targets.put(c.id, c);
    }

    /** {@code c} closes: it tracks no more, and is no redirect target. */
    void closed(KvConnection c) {
        targets.remove(c.id);
        disabled(c);
    }
}
