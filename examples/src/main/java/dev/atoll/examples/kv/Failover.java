package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;

/**
 * FAILOVER, Redis 7.0's coordinated failover, on the master's side ({@code failoverCommand},
 * {@code updateFailoverStatus}): clients' writes are paused (Redis's {@code CLIENT PAUSE WRITE} for the failover:
 * {@link ClientPause}), the master waits until a replica — the one named by {@code TO host port}, else the first
 * to get there — acknowledged the whole stream, then becomes a replica of it ({@link ReplicaOf#failoverTo}), whose
 * link sends {@code PSYNC <replid> <offset> FAILOVER} so that the target promotes itself; its answer ends the
 * failover ({@link #targetAnswered}). {@code TIMEOUT} aborts it, or with {@code FORCE} fails over anyway;
 * {@code FAILOVER ABORT} aborts it; INFO replication's {@code master_failover_state} shows {@link State}.
 *
 * <p>The state is volatile (every shard's dispatch reads it for the pause, INFO reads it) and changes under this
 * object's lock: FAILOVER runs on any shard, the checks on {@link ReplicationMaster#HOME}; neither is on the data
 * path (a client's write reads the volatile state only).
 */
final class Failover {
    private static final Logger log = LoggerFactory.getLogger(Failover.class);
    /** How often the master compares the target's acknowledged offset with its own (Redis's cron at hz 10). */
    private static final Duration CHECK = Duration.ofMillis(100);

    /** Redis's failover_state, as INFO names it. */
    enum State {
        NO_FAILOVER("no-failover"),
        /** Writes are paused; the master waits for a replica to acknowledge its whole stream. */
        WAITING_FOR_SYNC("waiting-for-sync"),
        /** The master is a replica of the target, whose answer to {@code PSYNC ... FAILOVER} is awaited. */
        IN_PROGRESS("failover-in-progress");

        final String infoName;

        State(String infoName) {
            this.infoName = infoName;
        }
    }

    private final KvNode node;
    volatile State state = State.NO_FAILOVER;
    /** Guarded by this: the target (null: any replica, until one is synced), the deadline (0: none), FORCE. */
    private String targetHost;
    private int targetPort;
    private long endMillis;
    private boolean force;
    /** Guarded by this: every write made before the pause is in the stream (the shards' feeds handed over). */
    private boolean drained;
    /** Guarded by this: each failover's number, so that the checks of one that ended stop. */
    private long generation;

    Failover(KvNode node) {
        this.node = node;
    }

    /** Whether a failover runs (clients' writes wait meanwhile: {@link ClientPause.Purpose#FAILOVER}). */
    boolean pausesWrites() {
        return state != State.NO_FAILOVER;
    }

    /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds], with Redis 7.0's replies. */
    void command(Request r, ReplyWriter out) {
        if (r.count() == 2 && r.string(1).equalsIgnoreCase("abort")) {
            if (state == State.NO_FAILOVER) {
                out.error("ERR No failover in progress.");
            } else {
                abort("Failover manually aborted");
                out.ok();
            }
            return;
        }
        long timeout = 0;
        boolean forced = false;
        String host = null;
        int port = 0;
        for (int j = 1; j < r.count(); j++) {
            String word = r.string(j).toLowerCase(Locale.ROOT);
            if (word.equals("timeout") && j + 1 < r.count() && timeout == 0) {
                if (!r.longAt(j + 1)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                if (r.number <= 0) {
                    out.error("ERR FAILOVER timeout must be greater than 0");
                    return;
                }
                timeout = r.number;
                j++;
            } else if (word.equals("to") && j + 2 < r.count() && host == null) {
                if (!r.longAt(j + 2)) {
                    out.error(KvShard.NOT_INTEGER);
                    return;
                }
                host = r.string(j + 1);
                port = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r.number));
                j += 2;
            } else if (word.equals("force") && !forced) {
                forced = true;
            } else {
                out.error(KvShard.SYNTAX);
                return;
            }
        }
        String refusal = start(host, port, timeout, forced);
        if (refusal != null) {
            out.error(refusal);
        } else {
            out.ok();
        }
    }

    /** Starts a failover, or returns Redis's error for one that cannot start. */
    private String start(String host, int port, long timeout, boolean forced) {
        long number;
        synchronized (this) {
            if (state != State.NO_FAILOVER) {
                return "ERR FAILOVER already in progress.";
            }
            if (node.replica.isReplica() || node.replica.shownMaster() != null) { // a replica, or switching to one
                return "ERR FAILOVER is not valid when server is a replica.";
            }
            if (node.replication.replicas.isEmpty()) {
                return "ERR FAILOVER requires connected replicas.";
            }
            if (forced && (timeout == 0 || host == null)) {
                return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
            }
            if (host != null) {
                ReplicaLink target = find(host, port);
                if (target == null) {
                    return "ERR FAILOVER target HOST and PORT is not a replica.";
                }
                if (!target.online()) {
                    return "ERR FAILOVER target replica is not online.";
                }
                log.info("FAILOVER requested to {}:{}.", host, port);
            } else {
                log.info("FAILOVER requested to any replica.");
            }
            targetHost = host;
            targetPort = port;
            endMillis = timeout == 0 ? 0 : System.currentTimeMillis() + timeout;
            force = forced;
            drained = false;
            number = ++generation;
            state = State.WAITING_FOR_SYNC;
            // from here clients' writes wait: ClientPause's WRITE pause, until the failover ends
            node.pause.pause(ClientPause.Purpose.FAILOVER, ClientPause.Mode.WRITE, Long.MAX_VALUE);
        }
        // only once every write made before the pause is in the stream is a replica's acknowledgement of the offset
        // one of every write
        StreamBarrier.await(node, () -> {
            synchronized (this) {
                if (number == generation) {
                    drained = true;
                }
            }
        });
        node.runtime.execute(ReplicationMaster.HOME, () -> check(number));
        return null;
    }

    /** On the home shard every {@link #CHECK} while waiting for the sync: Redis's updateFailoverStatus. */
    private void check(long number) {
        ReplicaOf.Master target = null;
        synchronized (this) {
            if (number != generation || state != State.WAITING_FOR_SYNC) {
                return;
            }
            if (endMillis != 0 && endMillis <= System.currentTimeMillis()) {
                if (!force) {
                    abortLocked("Replica never caught up before timeout");
                    return;
                }
                log.info("FAILOVER to {}:{} time out exceeded, failing over.", targetHost, targetPort);
                target = new ReplicaOf.Master(targetHost, targetPort);
            } else if (drained) {
                long offset = node.replication.offset();
                ReplicaLink synced = null;
                if (targetHost != null) {
                    ReplicaLink named = find(targetHost, targetPort);
                    synced = named != null && named.ackOffset == offset ? named : null;
                } else {
                    for (ReplicaLink link : node.replication.replicas) {
                        if (link.online() && link.ackOffset == offset) {
                            synced = link;
                            targetHost = link.ip();
                            targetPort = link.listeningPort;
                            break;
                        }
                    }
                }
                if (synced != null) {
                    log.info("Failover target {}:{} is synced, failing over.", targetHost, targetPort);
                    target = new ReplicaOf.Master(targetHost, targetPort);
                }
            }
            if (target != null) {
                state = State.IN_PROGRESS; // under the lock with the switch: an abort sees both or neither
                node.replica.failoverTo(target, node.replication.replid(), node.replication.offset());
                return;
            }
        }
        Shard.current().schedule(CHECK, () -> check(number));
    }

    /**
     * The target answered the link's {@code PSYNC ... FAILOVER} (on the link's shard): {@code +CONTINUE} or
     * {@code +FULLRESYNC} end the failover — this server stays its replica, writes resume (and are refused as a
     * replica's); an error aborts it, this server a master again, as Redis's replica does.
     */
    void targetAnswered(boolean accepted) {
        if (accepted) {
            synchronized (this) {
                if (state != State.IN_PROGRESS) {
                    return;
                }
                clearLocked();
            }
        } else {
            abort("Failover target rejected psync request");
        }
    }

    /** The link to the target failed before its answer: the failover is aborted. */
    void targetUnreachable(String why) {
        if (state == State.IN_PROGRESS) {
            abort(why);
        }
    }

    /** Redis's abortFailover: back to a master if the switch began, writes resume (nothing if none is in progress). */
    void abort(String why) {
        synchronized (this) {
            abortLocked(why);
        }
    }

    private void abortLocked(String why) {
        if (state == State.NO_FAILOVER) {
            return;
        }
        if (targetHost != null) {
            log.info("FAILOVER to {}:{} aborted: {}", targetHost, targetPort, why);
        } else {
            log.info("FAILOVER to any replica aborted: {}", why);
        }
        if (state == State.IN_PROGRESS) {
            node.replica.failoverAborted();
        }
        clearLocked();
    }

    private void clearLocked() {
        targetHost = null;
        targetPort = 0;
        endMillis = 0;
        force = false;
        drained = false;
        generation++;
        state = State.NO_FAILOVER;
        node.pause.unpause(ClientPause.Purpose.FAILOVER); // the writes held parse again
    }

    /** The replica at {@code host} (its address, as Redis compares it: case aside) and listening port, or null. */
    private ReplicaLink find(String host, int port) {
        for (ReplicaLink link : node.replication.replicas) {
            if (link.listeningPort == port && link.ip().equalsIgnoreCase(host)) {
                return link;
            }
        }
        return null;
    }
}
