package dev.atoll.examples.kv;

import dev.atoll.config.ConfigReader;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings of Atoll as a master, Redis's names: how full syncs are made ({@code repl-diskless-sync}, its delay
 * and its number of replicas), the backlog's size, the replicas' output limit ({@code client-output-buffer-limit
 * replica}), the stream's ping period and the timeout of a replica that takes no bytes of a diskless transfer. Read
 * from {@code kv.*} at start; CONFIG SET replaces the record whole ({@link ReplicationMaster#settings}).
 *
 * @param disklessSync          a full sync's RDB goes straight to the sockets of replicas that said {@code capa eof}
 * @param disklessDelaySeconds  seconds a diskless sync waits for more replicas before it starts
 * @param disklessMaxReplicas   replicas waiting at which a diskless sync starts before its delay; 0 = no such number
 * @param backlogSize           bytes of the stream the backlog keeps for partial resyncs
 * @param replicaHard           bytes held for a replica at which it is dropped at once; 0 = no limit
 * @param replicaSoft           bytes held for a replica at which, held longer than {@code replicaSoftSeconds}, it is
 *                              dropped; 0 = no limit
 * @param replicaSoftSeconds    the soft limit's seconds
 * @param pingPeriodSeconds     a PING goes into the stream this often while replicas are attached
 * @param timeoutSeconds        Redis's {@code repl-timeout}: a replica whose socket took nothing of a diskless transfer
 *                              for this long is dropped
 */
record MasterSettings(boolean disklessSync, int disklessDelaySeconds, int disklessMaxReplicas, int backlogSize,
                      long replicaHard, long replicaSoft, int replicaSoftSeconds, int pingPeriodSeconds,
                      int timeoutSeconds) {
    /** Redis 7.0's defaults. */
    static final MasterSettings DEFAULT = new MasterSettings(true, 5, 0, 1 << 20, 256L << 20, 64L << 20, 60, 10, 60);

    /** The largest backlog here: it is one array (Redis takes any size). */
    static final int MAX_BACKLOG = 1 << 30;
    /** Redis's CONFIG_REPL_BACKLOG_MIN_SIZE: a smaller repl-backlog-size is raised to it. */
    static final int MIN_BACKLOG = 16 * 1024;

    /** The names CONFIG SET changes here (client-output-buffer-limit's replica class goes through {@link #withReplicaLimits}). */
    static final Set<String> NAMES = Set.of("repl-diskless-sync", "repl-diskless-sync-delay",
            "repl-diskless-sync-max-replicas", "repl-backlog-size", "repl-ping-replica-period", "repl-ping-slave-period",
            "repl-timeout");

    private static final String REPLICA_OUTPUT = "kv.client-output-buffer-limit-replica.";

    /** Reads {@code kv.repl-*} and {@code kv.client-output-buffer-limit-replica.*}. */
    static MasterSettings from(ConfigReader reader) {
        return new MasterSettings(reader.bool("kv.repl-diskless-sync"),
                reader.intIn("kv.repl-diskless-sync-delay", 0, Integer.MAX_VALUE),
                reader.intIn("kv.repl-diskless-sync-max-replicas", 0, Integer.MAX_VALUE),
                (int) Math.max(MIN_BACKLOG, reader.bytes("kv.repl-backlog-size", 1, MAX_BACKLOG)),
                reader.bytes(REPLICA_OUTPUT + "hard", 0, Long.MAX_VALUE),
                reader.bytes(REPLICA_OUTPUT + "soft", 0, Long.MAX_VALUE),
                reader.intIn(REPLICA_OUTPUT + "soft-seconds", 0, 86_400),
                reader.intIn("kv.repl-ping-replica-period", 1, Integer.MAX_VALUE),
                reader.intIn("kv.repl-timeout", 1, Integer.MAX_VALUE));
    }

    /** CONFIG SET of one of {@link #NAMES}; throws with Redis's reason when {@code value} is refused. */
    MasterSettings with(String name, String value) {
        return switch (name) {
            case "repl-diskless-sync" -> new MasterSettings(yes(value), disklessDelaySeconds, disklessMaxReplicas,
                    backlogSize, replicaHard, replicaSoft, replicaSoftSeconds, pingPeriodSeconds, timeoutSeconds);
            case "repl-diskless-sync-delay" -> new MasterSettings(disklessSync, (int) Tunables.integer(value, 0, Integer.MAX_VALUE),
                    disklessMaxReplicas, backlogSize, replicaHard, replicaSoft, replicaSoftSeconds, pingPeriodSeconds,
                    timeoutSeconds);
            case "repl-diskless-sync-max-replicas" -> new MasterSettings(disklessSync, disklessDelaySeconds,
                    (int) Tunables.integer(value, 0, Integer.MAX_VALUE), backlogSize, replicaHard, replicaSoft,
                    replicaSoftSeconds, pingPeriodSeconds, timeoutSeconds);
            case "repl-backlog-size" -> {
                long size = AdminCommands.memory(value);
                if (size < 0) {
                    throw new IllegalArgumentException("argument must be a memory value");
                }
                if (size < 1) {
                    throw new IllegalArgumentException("argument must be between 1 and " + Long.MAX_VALUE + " inclusive");
                }
                if (size > MAX_BACKLOG) {
                    throw new IllegalArgumentException("argument must be at most " + MAX_BACKLOG + " here (the backlog is one array)");
                }
                yield new MasterSettings(disklessSync, disklessDelaySeconds, disklessMaxReplicas,
                        (int) Math.max(MIN_BACKLOG, size), replicaHard, replicaSoft, replicaSoftSeconds,
                        pingPeriodSeconds, timeoutSeconds);
            }
            case "repl-ping-replica-period", "repl-ping-slave-period" -> new MasterSettings(disklessSync,
                    disklessDelaySeconds, disklessMaxReplicas, backlogSize, replicaHard, replicaSoft, replicaSoftSeconds,
                    (int) Tunables.integer(value, 1, Integer.MAX_VALUE), timeoutSeconds);
            default -> new MasterSettings(disklessSync, disklessDelaySeconds, disklessMaxReplicas, backlogSize,
                    replicaHard, replicaSoft, replicaSoftSeconds, pingPeriodSeconds, (int) Tunables.integer(value, 1, Integer.MAX_VALUE));
        };
    }

    /** client-output-buffer-limit's replica (slave) class. */
    MasterSettings withReplicaLimits(long hard, long soft, int softSeconds) {
        return new MasterSettings(disklessSync, disklessDelaySeconds, disklessMaxReplicas, backlogSize, hard, soft,
                softSeconds, pingPeriodSeconds, timeoutSeconds);
    }

    private static boolean yes(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("argument must be 'yes' or 'no'");
        };
    }

    /** CONFIG GET's parameters, as redis-server 7.0 names and prints them (client-output-buffer-limit: see {@link #replicaLimits}). */
    void describe(Map<String, String> parameters) {
        parameters.put("repl-diskless-sync", disklessSync ? "yes" : "no");
        parameters.put("repl-diskless-sync-delay", Integer.toString(disklessDelaySeconds));
        parameters.put("repl-diskless-sync-max-replicas", Integer.toString(disklessMaxReplicas));
        parameters.put("repl-backlog-size", Integer.toString(backlogSize));
        parameters.put("repl-ping-replica-period", Integer.toString(pingPeriodSeconds));
        parameters.put("repl-ping-slave-period", Integer.toString(pingPeriodSeconds));
        parameters.put("repl-timeout", Integer.toString(timeoutSeconds));
    }

    /** The replica class in CONFIG GET client-output-buffer-limit's words: {@code slave <hard> <soft> <seconds>}. */
    String replicaLimits() {
        return "slave " + replicaHard + " " + replicaSoft + " " + replicaSoftSeconds;
    }
}
