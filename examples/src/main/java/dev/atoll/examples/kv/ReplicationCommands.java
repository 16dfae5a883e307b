package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.util.Locale;

/**
 * The commands of replication with Atoll as the master, with Redis 7.0's replies: REPLCONF (a replica's
 * settings before it syncs, its ACKs after), SYNC and PSYNC (the connection becomes a {@link ReplicaLink}),
 * WAIT and ROLE's master form ({@link ReplicationMaster}).
 */
final class ReplicationCommands {
    private ReplicationCommands() {
    }

    /** Runs the command; returns the pending reply (WAIT), or null when it was answered (or needs no reply). */
    static ReplySource execute(KvNode node, KvConnection connection, Command command, Request r, ReplyWriter out,
                               int[] shards) {
        switch (command) {
            case ROLE -> node.role(out);
            case REPLCONF -> replconf(connection, r, out);
            case SYNC -> {
                String refusal = node.replica.syncRefusal();
                if (refusal != null) {
                    out.error(refusal);
                } else {
                    becomeReplica(node, connection, null, 0);
                }
            }
            case PSYNC -> {
                String refusal = null;
                if (r.count() > 3 && r.string(3).equalsIgnoreCase("failover")) { // a master hands its role to this replica
                    refusal = node.replica.failoverRequest(r.string(1), connection.describe());
                }
                if (refusal == null && node.failover.pausesWrites()) {
                    refusal = "NOMASTERLINK Can't SYNC while failing over";
                }
                if (refusal == null) {
                    refusal = node.replica.syncRefusal();
                }
                if (refusal != null) {
                    out.error(refusal);
                } else if (!r.longAt(2)) {
                    out.error(KvShard.NOT_INTEGER);
                } else {
                    becomeReplica(node, connection, r.string(1), r.number);
                }
            }
            case WAIT -> {
                return await(node, connection, r, out, shards);
            }
            default -> throw new IllegalArgumentException(command + " is not a replication command");
        }
        return null;
    }

    /**
     * REPLCONF option value ...: listening-port, ip-address and capa are kept for the replica this connection
     * may become (OK); ACK and GETACK from a connection that is not a replica are ignored without a reply, as
     * Redis ignores them.
     */
    private static void replconf(KvConnection connection, Request r, ReplyWriter out) {
        if (r.count() % 2 == 0) {
            out.error(KvShard.SYNTAX);
            return;
        }
        ReplicaLink link = connection.handshake();
        for (int i = 1; i < r.count(); i += 2) {
            String option = r.string(i).toLowerCase(Locale.ROOT);
            switch (option) {
                case "listening-port" -> {
                    if (!r.longAt(i + 1) || r.number < 0 || r.number > 65535) {
                        out.error(KvShard.NOT_INTEGER);
                        return;
                    }
                    link.listeningPort = (int) r.number;
                }
                case "ip-address" -> link.announcedIp = r.string(i + 1);
                case "capa" -> { // eof: it reads a diskless sync's RDB (repl-diskless-sync); psync2 and others: nothing to do
                    if (r.string(i + 1).equalsIgnoreCase("eof")) {
                        link.capaEof = true;
                    }
                }
                case "ack", "getack", "fack" -> {
                    return; // from a connection that is not a replica: no reply
                }
                default -> {
                    out.error("ERR Unrecognized REPLCONF option: " + r.string(i));
                    return;
                }
            }
        }
        out.ok();
    }

    /** SYNC (a null {@code replid}) or PSYNC: the connection turns into a replica; the home shard answers it. */
    private static void becomeReplica(KvNode node, KvConnection connection, String replid, long offset) {
        ReplicaLink link = connection.handshake();
        link.preSync = replid == null;
        connection.replica = link;
        ReplicationMaster master = node.replication;
        Shard.current().sendReply(ReplicationMaster.HOME, () -> master.psync(link, replid, offset));
    }

    /**
     * WAIT's numreplicas (at least 0) and timeout, read in Redis's order (the timeout first); null after
     * Redis's error for one that is not a number, or a negative timeout.
     */
    static long[] waitArguments(Request r, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error("ERR timeout is not an integer or out of range");
            return null;
        }
        if (r.number < 0) {
            out.error("ERR timeout is negative");
            return null;
        }
        long timeout = r.number;
        if (!r.longAt(1)) {
            out.error(KvShard.NOT_INTEGER);
            return null;
        }
        return new long[] {Math.max(0, Math.min(Integer.MAX_VALUE, r.number)), timeout};
    }

    /**
     * WAIT numreplicas timeout: every shard hands its records to the stream first (after the commands this client
     * sent it), so the offset the replicas must acknowledge covers this client's writes; the home shard answers
     * once that many did, or at the timeout (ms; 0: none), with how many did.
     */
    private static ReplySource await(KvNode node, KvConnection connection, Request r, ReplyWriter out, int[] shards) {
        long[] arguments = waitArguments(r, out);
        if (arguments == null) {
            return null;
        }
        int replicas = (int) arguments[0];
        long timeout = arguments[1];
        long deadline = timeout == 0 ? 0 : (System.nanoTime() + Math.min(timeout, Long.MAX_VALUE / 2_000_000) * 1_000_000L) | 1;
        ReplicationMaster master = node.replication;
        int home = Shard.current().id();
        connection.replicasAwaited();
        return FanOut.startThen(node, connection, out.resp3(), shards, shard -> master.feeds[shard.id].handOver(),
                (results, failure, reply, done) -> {
                    if (failure != null) {
                        connection.replicasAnswered();
                        reply.error("ERR " + failure.getMessage());
                        done.run();
                        return;
                    }
                    long[] targets = new long[results.length];
                    for (int s = 0; s < results.length; s++) {
                        targets[s] = results[s] == null ? 0 : (Long) results[s];
                    }
                    Shard.current().sendReply(ReplicationMaster.HOME, () -> master.await(targets, replicas, deadline,
                            acked -> Shard.current().sendReply(home, () -> {
                                connection.replicasAnswered();
                                reply.integer(acked);
                                done.run();
                            })));
                });
    }
}
