package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.time.Duration;

/**
 * The pause of clients' commands, as Redis's {@code pauseClients}: {@code CLIENT PAUSE timeout [WRITE|ALL]} until
 * its time ends or {@code CLIENT UNPAUSE}, FAILOVER's pause of writes while it runs, and the short ones of a replica's
 * promotion and a master's switch to a replica. Each purpose keeps its own
 * mode and end (a new pause of a purpose keeps the stricter mode and the later end, as Redis keeps them); what holds
 * is the strictest of the purposes still running.
 *
 * <p>A held command waits in its connection's input, parsed again once the pause ends ({@link KvConnection}), and
 * counts in {@code blocked_clients} meanwhile, as in Redis. {@code WRITE} holds the commands that write or may
 * replicate ({@code EVAL}, {@code FCALL}, {@code PFCOUNT}: not a script or function that declares {@code no-writes})
 * and an {@code EXEC} whose queue holds one; {@code ALL}
 * holds every command. A replica's link and a replica's connection are never held. While any pause holds, keys are
 * not expired (the cycle skips, a lookup hides an expired key without deleting it), so that the data stays as it
 * was, as Redis's pause keeps it.
 *
 * <p>The purposes' state changes under this object's lock (CLIENT PAUSE runs on any shard, its end on shard 0); the
 * mode every shard reads at each command is one volatile field, {@link #mode}.
 */
final class ClientPause {
    /** Redis's pause types, from the least strict. */
    enum Mode { OFF, WRITE, ALL }

    /**
     * Who paused: Redis's pause purposes that exist here, a replica's promotion (writes wait for its few steps), and a
     * master's switch to a replica (writes wait until its offset is final: {@link ReplicaOf}).
     */
    enum Purpose { CLIENT_PAUSE, FAILOVER, PROMOTION, DEMOTION }

    /** Where the end of a pause is watched. */
    private static final int TIMER_SHARD = 0;

    private final KvNode node;
    /** Guarded by this: each purpose's mode and end (Unix ms; {@code Long.MAX_VALUE}: until it is lifted). */
    private final Mode[] modes = java.util.Collections.nCopies(Purpose.values().length, Mode.OFF).toArray(Mode[]::new);
    private final long[] ends = new long[Purpose.values().length];
    /** Guarded by this: the earliest end a timer is set for (0: none). */
    private long timerAt;
    /** The strictest mode still running: read by every shard at each command a client sends. */
    private volatile Mode mode = Mode.OFF;

    ClientPause(KvNode node) {
        this.node = node;
    }

    /** Whether any pause holds (one volatile read: what a command costs while none does). */
    boolean active() {
        return mode != Mode.OFF;
    }

    /**
     * Whether the pause holds {@code command} of a client ({@code execWrites}: for EXEC, whether its queue holds a
     * command the WRITE pause holds). A command with the wrong arity is not held: its error is answered at once.
     */
    boolean holds(Command command, Request r, boolean execWrites) {
        Mode now = mode;
        if (now == Mode.OFF || command == null || !command.arityOk(r.count())) {
            return false;
        }
        return now == Mode.ALL || holdsWhenWritesPause(command, r, node.scripts) || command == Command.EXEC && execWrites;
    }

    /**
     * Whether the WRITE pause holds {@code command}: it writes or may replicate (Redis 7.0.15's flags), but for a
     * script or function that declares {@code no-writes} ({@link ScriptRegistry#declaresNoWrites}).
     */
    static boolean holdsWhenWritesPause(Command command, Request r, ScriptRegistry scripts) {
        return command.writes || command.mayReplicate && !scripts.declaresNoWrites(command, r);
    }

    /** Starts or extends a pause of {@code purpose} until {@code endMillis}: the stricter mode and later end stay. */
    void pause(Purpose purpose, Mode wanted, long endMillis) {
        synchronized (this) {
            int p = purpose.ordinal();
            long now = System.currentTimeMillis();
            if (modes[p] == Mode.OFF || ends[p] <= now) {
                modes[p] = wanted;
                ends[p] = endMillis;
            } else {
                modes[p] = wanted.ordinal() > modes[p].ordinal() ? wanted : modes[p];
                ends[p] = Math.max(ends[p], endMillis);
            }
            update(now);
        }
    }

    /** Lifts the pause of {@code purpose} (CLIENT UNPAUSE, a failover's end); the held commands run once none holds them. */
    void unpause(Purpose purpose) {
        synchronized (this) {
            modes[purpose.ordinal()] = Mode.OFF;
            ends[purpose.ordinal()] = 0;
            update(System.currentTimeMillis());
        }
    }

    /** Recomputes {@link #mode} from the purposes still running; resumes the held connections when it eased. */
    private void update(long now) {
        Mode strictest = Mode.OFF;
        long nextEnd = Long.MAX_VALUE;
        for (int p = 0; p < modes.length; p++) {
            if (modes[p] != Mode.OFF && ends[p] <= now) {
                modes[p] = Mode.OFF;
            }
            if (modes[p] != Mode.OFF) {
                strictest = modes[p].ordinal() > strictest.ordinal() ? modes[p] : strictest;
                nextEnd = Math.min(nextEnd, ends[p]);
            }
        }
        Mode before = mode;
        mode = strictest;
        if (strictest.ordinal() < before.ordinal()) {
            for (KvShard shard : node.shards) {
                node.runtime.execute(shard.id, shard::pauseEased);
            }
        }
        if (nextEnd != Long.MAX_VALUE && (timerAt == 0 || nextEnd < timerAt)) {
            timerAt = nextEnd;
            long at = nextEnd;
            node.runtime.execute(TIMER_SHARD, () -> Shard.current().schedule(
                    Duration.ofMillis(Math.max(0, at - System.currentTimeMillis())), this::ended));
        }
    }

    /** On the timer's shard, at the earliest end: lifts what ended, and sets the timer for the next end. */
    private void ended() {
        synchronized (this) {
            timerAt = 0;
            update(System.currentTimeMillis());
        }
    }

    /** CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE (the subcommand is one of the two), with Redis 7.0's replies. */
    void command(Request r, ReplyWriter out) {
        String sub = r.string(1);
        if (sub.equalsIgnoreCase("unpause")) {
            if (r.count() != 2) {
                out.error(KvConnection.wrongArity("client|unpause"));
            } else {
                unpause(Purpose.CLIENT_PAUSE);
                out.ok();
            }
            return;
        }
        if (r.count() < 3) {
            out.error(KvConnection.wrongArity("client|pause"));
            return;
        }
        if (r.count() > 4) {
            out.error("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try CLIENT HELP.");
            return;
        }
        Mode wanted = Mode.ALL;
        if (r.count() == 4) {
            if (r.string(3).equalsIgnoreCase("write")) {
                wanted = Mode.WRITE;
            } else if (!r.string(3).equalsIgnoreCase("all")) {
                out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        if (!r.longAt(2)) {
            out.error("ERR timeout is not an integer or out of range");
            return;
        }
        if (r.number < 0) {
            out.error("ERR timeout is negative");
            return;
        }
        long now = System.currentTimeMillis();
        long end = r.number > Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + r.number;
        pause(Purpose.CLIENT_PAUSE, wanted, end);
        out.ok();
    }
}
