package dev.atoll.examples.kv;

import java.util.List;

/**
 * The master's replication settings through CONFIG SET and GET, against what redis-server 7.0.15 answered
 * ({@code kv/repl-settings-replies.txt}), on 1 and 2 shards, RESP2 and RESP3: repl-diskless-sync, its delay and its
 * number of replicas, repl-backlog-size (a size below 16k raised to it, memory units, errors), repl-ping-replica-period
 * and its old name, repl-timeout, client-output-buffer-limit's replica class, and each one's error for a bad value.
 */
class KvReplSettingsTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/repl-settings-replies.txt", List.of(
            step("CONFIG", "GET", "repl-diskless-sync"),
            step("CONFIG", "GET", "repl-diskless-sync-delay"),
            step("CONFIG", "GET", "repl-diskless-sync-max-replicas"),
            step("CONFIG", "GET", "repl-backlog-size"),
            step("CONFIG", "GET", "repl-ping-replica-period"),
            step("CONFIG", "GET", "repl-ping-slave-period"),
            step("CONFIG", "GET", "repl-timeout"),
            step("CONFIG", "SET", "repl-diskless-sync", "no"),
            step("CONFIG", "GET", "repl-diskless-sync"),
            step("CONFIG", "SET", "repl-diskless-sync", "maybe"),
            step("CONFIG", "SET", "repl-diskless-sync", "YES"),
            step("CONFIG", "GET", "repl-diskless-sync"),
            step("CONFIG", "SET", "repl-diskless-sync-delay", "0"),
            step("CONFIG", "SET", "repl-diskless-sync-delay", "-1"),
            step("CONFIG", "SET", "repl-diskless-sync-delay", "x"),
            step("CONFIG", "GET", "repl-diskless-sync-delay"),
            step("CONFIG", "SET", "repl-diskless-sync-max-replicas", "3"),
            step("CONFIG", "SET", "repl-diskless-sync-max-replicas", "-3"),
            step("CONFIG", "GET", "repl-diskless-sync-max-replicas"),
            step("CONFIG", "SET", "repl-backlog-size", "1"),
            step("CONFIG", "GET", "repl-backlog-size"),
            step("CONFIG", "SET", "repl-backlog-size", "abc"),
            step("CONFIG", "SET", "repl-backlog-size", "-1"),
            step("CONFIG", "SET", "repl-backlog-size", "0"),
            step("CONFIG", "SET", "repl-backlog-size", "2mb"),
            step("CONFIG", "GET", "repl-backlog-size"),
            step("CONFIG", "SET", "repl-backlog-size", "100k"),
            step("CONFIG", "GET", "repl-backlog-size"),
            step("CONFIG", "SET", "repl-ping-replica-period", "0"),
            step("CONFIG", "SET", "repl-ping-replica-period", "5"),
            step("CONFIG", "GET", "repl-ping-slave-period"),
            step("CONFIG", "SET", "repl-ping-slave-period", "7"),
            step("CONFIG", "GET", "repl-ping-replica-period"),
            step("CONFIG", "SET", "repl-timeout", "x"),
            step("CONFIG", "SET", "repl-timeout", "30"),
            step("CONFIG", "GET", "repl-timeout"),
            step("CONFIG", "SET", "client-output-buffer-limit", "replica 1mb 512kb 10"),
            step("CONFIG", "SET", "client-output-buffer-limit", "slave 2mb 1mb"),
            step("CONFIG", "SET", "client-output-buffer-limit", "slave x 1mb 10"),
            step("CONFIG", "SET", "repl-backlog-size", "1mb", "repl-timeout", "0"),
            step("CONFIG", "GET", "repl-backlog-size")));

    @Override
    RecordedScript script() {
        return SCRIPT;
    }
}
