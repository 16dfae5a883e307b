package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The list commands that take from a list another shard may own, or wait for one: BLPOP, BRPOP,
 * BLMOVE, BRPOPLPUSH, BLMPOP (blocking), and LMPOP, plus LMOVE and RPOPLPUSH whose two keys are on
 * different shards (the same walk without waiting). See {@link BlockedClient} for the walk and the
 * wake-up; this class says what serving means for a list.
 *
 * <p>A move across shards (LMOVE, RPOPLPUSH, BLMOVE, BRPOPLPUSH): Redis checks the destination's type
 * before it pops. Here the destination's owner is asked first (a WRONGTYPE found there answers at
 * once when the source can serve, with the source untouched); then the source's owner pops and logs;
 * then the destination's owner pushes and logs — or, if the destination became another type in
 * between, the element goes back to the source, at the end it came from, and the reply is WRONGTYPE
 * (as Redis 7.0 does for a blocked BLMOVE served onto a destination of the wrong type). So the
 * element is at exactly one place at the end; between the steps it is in flight, in no key.
 */
final class ListPop extends BlockedClient {
    private static final Logger log = LoggerFactory.getLogger(ListPop.class);
    private static final byte[] COUNT = ReplyWriter.asciiBytes("count");

    private final Command command;
    private final boolean fromLeft;
    private final boolean toLeft;
    /** The destination of a move, and its owner; null for the pops. */
    private final byte[] target;
    private final int targetOwner;
    private final long count;
    // Handed from step to step through the mesh: each is touched by one shard at a time.
    private boolean targetWrongType;
    private byte[] servedKey;
    private int sourceOwner;
    private byte[][] elements;

    private ListPop(KvNode node, KvConnection connection, boolean resp3, Command command, byte[][] keys,
                    boolean blocks, long timeoutMillis, boolean fromLeft, boolean toLeft, byte[] target, long count) {
        super(node, connection, resp3, keys, blocks, timeoutMillis);
        this.command = command;
        this.fromLeft = fromLeft;
        this.toLeft = toLeft;
        this.target = target;
        this.targetOwner = target == null ? -1 : KeySlots.owner(target, 0, target.length, node.shardCount());
        this.count = count;
    }

    /**
     * Parses {@code r} on the connection's shard and starts it; null when it was answered at once
     * into {@code out} (a syntax error, a bad timeout). The caller queues the result as the
     * connection's pending reply and then calls {@link #begin}.
     */
    static ListPop parse(KvNode node, KvConnection connection, ReplyWriter out, Command command, Request r) {
        int n = r.count();
        long now = System.currentTimeMillis();
        return switch (command) {
            case BLPOP, BRPOP -> {
                long timeout = timeout(r, n - 1, now, out);
                if (timeout < 0) {
                    yield null;
                }
                byte[][] keys = new byte[n - 2][];
                for (int i = 1; i < n - 1; i++) {
                    keys[i - 1] = r.copy(i);
                }
                yield new ListPop(node, connection, out.resp3(), command, keys, true, timeout,
                        command == Command.BLPOP, false, null, 1);
            }
            case LMOVE, BLMOVE, RPOPLPUSH, BRPOPLPUSH -> {
                boolean sides = command == Command.LMOVE || command == Command.BLMOVE;
                int from = sides ? ListCommands.side(r, 3, out) : 0;
                int to = from < 0 ? -1 : sides ? ListCommands.side(r, 4, out) : 1;
                if (to < 0) {
                    yield null;
                }
                boolean blocks = command == Command.BLMOVE || command == Command.BRPOPLPUSH;
                long timeout = blocks ? timeout(r, n - 1, now, out) : 0;
                if (timeout < 0) {
                    yield null;
                }
                yield new ListPop(node, connection, out.resp3(), command, new byte[][] {r.copy(1)}, blocks, timeout,
                        from == 1, to == 1, r.copy(2), 1);
            }
            case LMPOP, BLMPOP -> {
                int numkeysAt = command == Command.BLMPOP ? 2 : 1;
                if (!r.longAt(numkeysAt) || r.number <= 0) {
                    out.error("ERR numkeys should be greater than 0");
                    yield null;
                }
                long numkeys = r.number;
                long sideAt = numkeysAt + numkeys + 1;
                if (sideAt >= n) {
                    out.error(KvShard.SYNTAX);
                    yield null;
                }
                int side = ListCommands.side(r, (int) sideAt, out);
                if (side < 0) {
                    yield null;
                }
                long count = -1;
                for (int i = (int) sideAt + 1; i < n; i++) {
                    if (count == -1 && r.is(i, COUNT) && i + 1 < n) {
                        if (!r.longAt(++i) || r.number <= 0) {
                            out.error("ERR count should be greater than 0");
                            yield null;
                        }
                        count = r.number;
                    } else {
                        out.error(KvShard.SYNTAX);
                        yield null;
                    }
                }
                boolean blocks = command == Command.BLMPOP;
                long timeout = blocks ? timeout(r, 1, now, out) : 0;
                if (timeout < 0) {
                    yield null;
                }
                byte[][] keys = new byte[(int) numkeys][];
                for (int i = 0; i < numkeys; i++) {
                    keys[i] = r.copy(numkeysAt + 1 + i);
                }
                yield new ListPop(node, connection, out.resp3(), command, keys, blocks, timeout, side == 1, false, null,
                        count == -1 ? 1 : count);
            }
            default -> throw new IllegalArgumentException(command + " is no list pop");
        };
    }

    /**
     * A blocking command's timeout in seconds (a float) at argument {@code i}, as milliseconds (0:
     * forever), read as Redis 7.0 reads it — a long double times 1000, cut to an integer, so 0.0001 is
     * 0, forever; -1 after an error reply.
     */
    static long timeout(Request r, int i, long now, ReplyWriter out) {
        BigDecimal seconds = StringCommands.parseFloat(r.bytes, r.offset(i), r.length(i));
        if (seconds == null) {
            out.error("ERR timeout is not a float or out of range");
            return -1;
        }
        BigDecimal ms = seconds == StringCommands.INFINITE ? null : seconds.movePointRight(3).setScale(0, RoundingMode.DOWN);
        if (ms == null || ms.toBigInteger().bitLength() > 63 || ms.signum() < 0) {
            out.error("ERR timeout is negative"); // Redis's (long long) cast of an out of range double is negative too
            return -1;
        }
        long millis = ms.longValueExact();
        if (millis > Long.MAX_VALUE - now) {
            out.error("ERR timeout is out of range");
            return -1;
        }
        return millis;
    }

    private boolean moves() {
        return target != null;
    }

    // ---- for the non-blocking form inside a transaction (TakeInTransaction) ----

    boolean fromLeft() {
        return fromLeft;
    }

    boolean toLeft() {
        return toLeft;
    }

    /** A move's destination; null for the pops. */
    byte[] target() {
        return target;
    }

    long count() {
        return count;
    }

    /** What a transaction took from {@code key}, for {@link #writeTaken}. */
    void taken(byte[] key, byte[][] elements) {
        servedKey = key;
        this.elements = elements;
    }

    @Override
    Command command() {
        return command;
    }

    /** A move to another shard first learns whether the destination is of another type. */
    @Override
    void firstStep() {
        if (moves() && targetOwner != owners[0]) {
            viaHome(targetOwner, () -> {
                KeyTable.Entry t = node.shards[targetOwner].live(target, 0, target.length, System.currentTimeMillis());
                targetWrongType = t != null && !(t.aggregate() instanceof ListValue);
                viaHome(owners[0], () -> visit(0));
            });
        } else {
            super.firstStep();
        }
    }

    @Override
    boolean accepts(KeyTable.Entry e, boolean initial) {
        return initial || e.aggregate() instanceof ListValue; // a list is never empty: an emptied one is no key
    }

    @Override
    void serve(KvShard owner, KeyTable.Entry e, boolean initial, long now) {
        if (!(e.aggregate() instanceof ListValue)) {
            failed(KvShard.WRONGTYPE);
            finish(owner);
            return;
        }
        sourceOwner = owner.id;
        servedKey = e.key();
        if (!moves()) {
            elements = owner.lists.pop(e, fromLeft, count);
            owner.events.took(KeyspaceEvents.LIST, KeyspaceEvents.pop(fromLeft), servedKey);
            finish(owner);
            return;
        }
        if (targetOwner == owner.id) {
            KeyTable.Entry t = owner.live(target, 0, target.length, now);
            if (t != null && !(t.aggregate() instanceof ListValue)) {
                failed(KvShard.WRONGTYPE); // the element stays
            } else {
                elements = new byte[][] {owner.lists.moveHere(e, fromLeft, target, 0, target.length, toLeft, now)};
                owner.events.stored(KeyspaceEvents.LIST, KeyspaceEvents.push(toLeft), target, t != null); // as Redis: push, pop
                owner.events.took(KeyspaceEvents.LIST, KeyspaceEvents.pop(fromLeft), servedKey);
            }
            finish(owner);
            return;
        }
        if (initial && targetWrongType) {
            failed(KvShard.WRONGTYPE);
            finish(owner);
            return;
        }
        elements = owner.lists.pop(e, fromLeft, 1);
        owner.events.took(KeyspaceEvents.LIST, KeyspaceEvents.pop(fromLeft), servedKey); // the push's event follows from its shard
        owner.afterLogged(() -> viaHome(targetOwner, // after a transaction that holds the destination
                () -> node.shards[targetOwner].locks.whenFree(target, this::pushOrReturn)));
    }

    /** On the destination's owner: push the element there, or send it back to the source if the destination is of another type now. */
    private void pushOrReturn() {
        KvShard shard = node.shards[targetOwner];
        long now = System.currentTimeMillis();
        KeyTable.Entry t = shard.live(target, 0, target.length, now);
        if (t != null && !(t.aggregate() instanceof ListValue)) {
            failed(KvShard.WRONGTYPE);
            byte[][] back = elements;
            elements = null;
            viaHome(sourceOwner, () -> {
                putBack(node.shards[sourceOwner], servedKey, fromLeft, back);
                finish(node.shards[sourceOwner]);
            });
            return;
        }
        shard.lists.push(target, toLeft, elements, now);
        shard.events.stored(KeyspaceEvents.LIST, KeyspaceEvents.push(toLeft), target, t != null);
        finish(shard);
    }

    /**
     * On {@code shard}: pushes {@code taken} (popped from the head if {@code left}, in pop order) back
     * to the end of {@code key} it came from, so that the list reads as before. If the key holds
     * another type by now, that write came after the pop and replaced the whole list: as if the pop
     * had not happened, the element would be gone with it; it is dropped, with a warning.
     */
    private static void putBack(KvShard shard, byte[] key, boolean left, byte[][] taken) {
        KeyTable.Entry e = shard.live(key, 0, key.length, System.currentTimeMillis());
        if (e != null && !(e.aggregate() instanceof ListValue)) {
            log.warn("shard {}: {} element(s) taken from list '{}' could not go back: the key holds a {} now", shard.id,
                    taken.length, new String(key, java.nio.charset.StandardCharsets.UTF_8), KvShard.typeName(e));
            return;
        }
        byte[][] reversed = new byte[taken.length][];
        for (int i = 0; i < taken.length; i++) {
            reversed[i] = taken[taken.length - 1 - i];
        }
        shard.lists.push(key, left, reversed, System.currentTimeMillis());
    }

    @Override
    boolean took() {
        return elements != null;
    }

    @Override
    void writeTaken(ReplyWriter out) {
        if (moves()) {
            out.bulk(elements[0]);
        } else if (command == Command.BLPOP || command == Command.BRPOP) {
            out.arrayHeader(2).bulk(servedKey).bulk(elements[0]);
        } else {
            out.arrayHeader(2).bulk(servedKey).arrayHeader(elements.length);
            for (byte[] element : elements) {
                out.bulk(element);
            }
        }
    }

    @Override
    void writeNothing(ReplyWriter out) {
        if (command == Command.LMOVE || command == Command.RPOPLPUSH) {
            out.nullBulk();
        } else {
            out.nullArray(); // BLMOVE and BRPOPLPUSH too time out with a null array, as in Redis
        }
    }

    /** A pop's elements go back to their list; a move's element is in its destination (or went back already). */
    @Override
    void returnResult() {
        if (elements != null && !moves()) {
            byte[][] taken = elements;
            Shard.current().sendReply(sourceOwner, () -> putBack(node.shards[sourceOwner], servedKey, fromLeft, taken));
        }
    }
}
