package dev.atoll.examples.kv;

import dev.atoll.config.ConfigReader;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings of Atoll as a replica of a Redis master, Redis's names: {@code replicaof} at start (null: none),
 * {@code masterauth} and {@code masteruser} (the handshake's AUTH), {@code replica-read-only},
 * {@code replica-serve-stale-data} and {@code repl-timeout}. Read from {@code kv.*} at start; CONFIG SET replaces the record whole
 * ({@link ReplicaOf#settings}).
 *
 * @param replicaOf  the master to replicate at start, or null
 * @param masterAuth the password the handshake's AUTH gives; "" = no AUTH
 * @param masterUser the user of that AUTH; "" = the default user (AUTH with the password alone)
 * @param readOnly   whether clients' writes are refused while this server is a replica
 * @param serveStale whether clients' commands are served while the link with the master is not up
 * @param timeoutSeconds Redis's repl-timeout: the link's connect, and the silence after which it is dropped and made again
 */
record ReplicaSettings(ReplicaOf.Master replicaOf, String masterAuth, String masterUser, boolean readOnly,
                       boolean serveStale, int timeoutSeconds) {
    /** Redis's defaults: no master, no AUTH, read-only, stale data served, a 60 s timeout. */
    static final ReplicaSettings DEFAULT = new ReplicaSettings(null, "", "", true, true, 60);

    /** The names CONFIG SET changes (Redis's old {@code slave-} spellings too). */
    static final Set<String> NAMES = Set.of("masterauth", "masteruser", "replica-read-only", "slave-read-only",
            "replica-serve-stale-data", "slave-serve-stale-data", "repl-timeout");

    /** Reads {@code kv.replicaof} ("host port" or ""), {@code kv.masterauth}, {@code kv.masteruser}, the two flags and {@code kv.repl-timeout}. */
    static ReplicaSettings from(ConfigReader reader) {
        String value = reader.config().getString("kv.replicaof").trim();
        ReplicaOf.Master master = null;
        if (!value.isEmpty()) {
            String[] words = value.split("\\s+");
            int port = words.length == 2 ? port(words[1]) : -1;
            if (port < 0) {
                throw reader.invalid("kv.replicaof", "\"<host> <port>\" (Redis's replicaof: a host and a port 0-65535), or \"\" for none");
            }
            master = new ReplicaOf.Master(words[0], port);
        }
        return new ReplicaSettings(master, reader.config().getString("kv.masterauth"),
                reader.config().getString("kv.masteruser"), reader.bool("kv.replica-read-only"),
                reader.bool("kv.replica-serve-stale-data"), reader.intIn("kv.repl-timeout", 1, Integer.MAX_VALUE));
    }

    /** The port {@code text} names, or -1 when it is not one (REPLICAOF's "Invalid master port"). */
    static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 0 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** CONFIG SET of one of {@link #NAMES}; throws with Redis's reason when {@code value} is refused. */
    ReplicaSettings with(String name, String value) {
        return switch (name) {
            case "masterauth" -> new ReplicaSettings(replicaOf, value, masterUser, readOnly, serveStale, timeoutSeconds);
            case "masteruser" -> new ReplicaSettings(replicaOf, masterAuth, value, readOnly, serveStale, timeoutSeconds);
            case "replica-read-only", "slave-read-only" ->
                    new ReplicaSettings(replicaOf, masterAuth, masterUser, yes(value), serveStale, timeoutSeconds);
            case "repl-timeout" -> new ReplicaSettings(replicaOf, masterAuth, masterUser, readOnly, serveStale, seconds(value));
            default -> new ReplicaSettings(replicaOf, masterAuth, masterUser, readOnly, yes(value), timeoutSeconds);
        };
    }

    /** repl-timeout's value as Redis 7.0 takes it: an integer from 1 on. */
    private static int seconds(String value) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument couldn't be parsed into an integer");
        }
        if (parsed < 1 || parsed > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("argument must be between 1 and " + Integer.MAX_VALUE + " inclusive");
        }
        return (int) parsed;
    }

    private static boolean yes(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("argument must be 'yes' or 'no'");
        };
    }

    /** CONFIG GET's parameters, as redis-server 7.0 names and prints them. */
    void describe(Map<String, String> parameters, ReplicaOf.Master current) {
        parameters.put("replicaof", current == null ? "" : current.host() + " " + current.port());
        parameters.put("masterauth", masterAuth);
        parameters.put("masteruser", masterUser);
        parameters.put("replica-read-only", readOnly ? "yes" : "no");
        parameters.put("slave-read-only", readOnly ? "yes" : "no");
        parameters.put("replica-serve-stale-data", serveStale ? "yes" : "no");
        parameters.put("slave-serve-stale-data", serveStale ? "yes" : "no");
        parameters.put("repl-timeout", Integer.toString(timeoutSeconds));
    }
}
