package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sorted-set command whose keys are on several shards — ZUNION, ZINTER, ZDIFF, ZINTERCARD, their
 * STORE forms, ZRANGESTORE, ZMPOP, and the geo searches that store (GEOSEARCHSTORE, GEORADIUS
 * STORE: {@link GeoCommands#storedResult}) — run from the connection's shard ("home") through the mesh:
 *
 * <ol>
 *   <li>its arguments are checked at home (numkeys, ZRANGE's range, ZMPOP's options);</li>
 *   <li>each source key's owner sends back a copy of its value (a sorted set, a set, or "wrong
 *       type"), one message per owner;</li>
 *   <li>home computes the result as one shard would ({@link ZSetAlgebra}, {@link ZSetCommands#rangeResult});</li>
 *   <li>a STORE form sends the result to the destination's owner, which stores and logs it;</li>
 *   <li>ZMPOP instead asks the owner of each key in turn to pop, until one has members.</li>
 * </ol>
 *
 * Not atomic across shards: a write to a source between steps 2 and 4 may or may not be seen, each
 * source is read at one instant. Every message is sent from home, behind the connection's earlier
 * commands, and the connection parses nothing new until the reply is in, so its own next commands
 * see the result. Under {@code appendfsync always} the reply waits for the sync of what was stored
 * or popped.
 */
final class ZSetGather extends PendingReply {
    private final KvNode node;
    private final Command command;
    private final Request request;
    private final int home;
    private final int[] keys;
    private ZRange range;
    private ZSetAlgebra.Pop pop;
    /** The value of each source key, as it arrives (index as in {@link #keys} past the destination). */
    private Object[] inputs;
    private int waiting;
    private String failure;
    /** Still in {@link #start}: an answer found at once (a refused send) is not notified. */
    private boolean starting = true;

    private ZSetGather(KvNode node, KvConnection connection, boolean resp3, Command command, Request request,
                       int[] keys) {
        super(connection, resp3);
        this.node = node;
        this.command = command;
        this.request = request;
        this.home = Shard.current().id();
        this.keys = keys;
    }

    /** Starts the command of {@code r}; null when it was answered at once into {@code out} (an argument error). */
    static ZSetGather start(KvNode node, KvConnection connection, ReplyWriter out, Command command, Request r) {
        int[] keys = ZSetAlgebra.keys(command, r, out);
        if (keys == null) {
            return null;
        }
        ZRange range = null;
        ZSetAlgebra.Pop pop = null;
        if (command == Command.ZRANGESTORE && (range = ZRange.parse(command, r, 2, true, out)) == null) {
            return null;
        }
        if (command == Command.ZMPOP && (pop = ZSetAlgebra.pop(r, keys[keys.length - 1] + 1, out)) == null) {
            return null;
        }
        ZSetGather gather = new ZSetGather(node, connection, out.resp3(), command, copy(r), keys);
        gather.range = range;
        gather.pop = pop;
        node.shards[gather.home].batches.sendAll(); // after the commands already queued for those shards
        connection.waitStarted();
        if (command == Command.ZMPOP) {
            gather.popFrom(0);
        } else {
            gather.gather();
        }
        gather.starting = false;
        return gather;
    }

    /** The request with its own copy of the bytes: the parse buffer is reused meanwhile. */
    private static Request copy(Request r) {
        int total = 0;
        for (int i = 0; i < r.count(); i++) {
            total += r.length(i);
        }
        byte[] bytes = new byte[total];
        Request own = new Request();
        own.reset(bytes);
        int at = 0;
        for (int i = 0; i < r.count(); i++) {
            System.arraycopy(r.bytes, r.offset(i), bytes, at, r.length(i));
            own.add(at, r.length(i));
            at += r.length(i);
        }
        return own;
    }

    private int ownerOf(int argument) {
        return KeySlots.owner(request.bytes, request.offset(argument), request.length(argument), node.shardCount());
    }

    private byte[] key(int argument) {
        return request.copy(argument);
    }

    // ---- steps 2 and 3 ----

    private void gather() {
        int first = ZSetAlgebra.stores(command) || GeoCommands.stores(command) ? 1 : 0; // geo: only a STORE comes here
        inputs = new Object[keys.length - first];
        Map<Integer, List<Integer>> byOwner = new LinkedHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            byOwner.computeIfAbsent(ownerOf(keys[first + i]), o -> new ArrayList<>()).add(i);
        }
        waiting = byOwner.size();
        byOwner.forEach((owner, indexes) -> {
            byte[][] names = new byte[indexes.size()][];
            for (int k = 0; k < names.length; k++) {
                names[k] = key(keys[first + indexes.get(k)]);
            }
            boolean sent = Shard.current().send(owner, () -> {
                Object[] values = new Object[names.length];
                String error = null;
                try {
                    KvShard shard = node.shards[owner];
                    long now = System.currentTimeMillis();
                    for (int k = 0; k < names.length; k++) {
                        values[k] = ZSetCommands.input(shard.live(names[k], 0, names[k].length, now), true);
                    }
                } catch (RuntimeException e) {
                    error = "ERR " + e.getMessage();
                }
                String failed = error;
                Shard.current().sendReply(home, () -> arrived(indexes, values, failed));
            });
            if (!sent) {
                arrived(indexes, new Object[indexes.size()], "ERR shard " + owner + " is overloaded");
            }
        });
    }

    private void arrived(List<Integer> indexes, Object[] values, String error) {
        for (int k = 0; k < values.length; k++) {
            inputs[indexes.get(k)] = values[k];
        }
        if (error != null && failure == null) {
            failure = error;
        }
        if (--waiting > 0) {
            return;
        }
        if (failure != null) {
            finish(failure);
            return;
        }
        long now = System.currentTimeMillis();
        ZSetValue result;
        if (GeoCommands.stores(command)) {
            result = counted(() -> GeoCommands.storedResult(command, request, inputs[0], reply));
            if (result == null) {
                done(); // the error is written
                return;
            }
        } else if (command == Command.ZRANGESTORE) {
            Object source = inputs[0];
            if (source != null && !(source instanceof ZSetValue)) {
                finish(KvShard.WRONGTYPE);
                return;
            }
            result = ZSetCommands.rangeResult((ZSetValue) source, range);
        } else {
            ZSetAlgebra.Outcome outcome = counted(() -> ZSetAlgebra.combine(command, request, inputs, reply));
            if (outcome == null) {
                done(); // the error is written
                return;
            }
            if (!ZSetAlgebra.stores(command)) {
                node.shards[home].zsets.reply(command, null, outcome, now, reply);
                done();
                return;
            }
            result = outcome.result();
        }
        storeAt(result);
    }

    /** Runs {@code computation}, which may write an error reply: such an error fails the command (INFO errorstats). */
    private <T> T counted(java.util.function.Supplier<T> computation) {
        ErrorStats errors = ErrorStats.current();
        int outer = errors.begin(command);
        try {
            return computation.get();
        } finally {
            errors.end(outer);
        }
    }

    // ---- step 4 ----

    private void storeAt(ZSetValue result) {
        int owner = ownerOf(keys[0]);
        byte[] target = key(keys[0]);
        boolean sent = Shard.current().send(owner, () -> {
            KvShard shard = node.shards[owner];
            String answer;
            try {
                answer = shard.writeRefusal() != null ? "-" + shard.writeRefusal()
                        : ":" + shard.zsets.store(target, result, System.currentTimeMillis());
            } catch (RuntimeException e) {
                answer = "-ERR " + e.getMessage();
            }
            String resp = answer;
            shard.afterLogged(() -> Shard.current().sendReply(home, () -> {
                reply.raw(ReplyWriter.asciiBytes(resp + "\r\n"));
                done();
            }));
        });
        if (!sent) {
            finish("ERR shard " + owner + " is overloaded");
        }
    }

    // ---- ZMPOP ----

    /** Asks the owner of source key {@code index} to pop; on to the next key when it has no members. */
    private void popFrom(int index) {
        if (index == keys.length) {
            reply.nullArray();
            done();
            return;
        }
        int owner = ownerOf(keys[index]);
        byte[] name = key(keys[index]);
        boolean sent = Shard.current().send(owner, () -> {
            KvShard shard = node.shards[owner];
            Object popped;
            try {
                popped = shard.writeRefusal() != null ? shard.writeRefusal() // the error text
                        : shard.zsets.popFirst(name, pop, System.currentTimeMillis());
            } catch (RuntimeException e) {
                popped = e;
            }
            Object outcome = popped;
            shard.afterLogged(() -> Shard.current().sendReply(home, () -> popped(index, name, outcome)));
        });
        if (!sent) {
            finish("ERR shard " + owner + " is overloaded");
        }
    }

    private void popped(int index, byte[] name, Object outcome) {
        if (outcome == null) {
            popFrom(index + 1);
        } else if (outcome instanceof ZSetCommands.Popped popped) {
            ZSetCommands.mpopReply(name, popped, reply);
            done();
        } else if (outcome instanceof String error) {
            finish(error); // MISCONF
        } else if (outcome instanceof RuntimeException e) {
            finish("ERR " + e.getMessage());
        } else {
            finish(KvShard.WRONGTYPE);
        }
    }

    // ---- the end ----

    private void finish(String error) {
        ErrorStats.answerFailed(command, reply, error);
        done();
    }

    /** The reply is written, on home: the connection takes it and parses on. */
    private void done() {
        connection.waitDone();
        if (starting) {
            completeAtOnce();
        } else {
            complete();
        }
    }
}
