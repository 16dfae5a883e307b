package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MONITOR as redis-server 7.0.15 answers it. The expected lines were recorded from it (a monitor, and a
 * second connection sending the script below): every command but administration and refused ones,
 * credentials redacted, arguments quoted as its {@code sdscatrepr} quotes them, a transaction's commands
 * when EXEC runs them and none of a discarded one; on the monitoring connection, commands that touch no
 * key answered and shown after their reply, the others refused, MONITOR again ignored, RESET ending it.
 * With two shards, a monitor on each shard sees the commands of connections on both.
 */
class KvMonitorTest extends KvOneAndTwoShards {
    /** {@code 1796460026.362287 [0 127.0.0.1:34642] "SET" ...}: the time and the client's address. */
    private static final String PREFIX = "\\d{10}\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+] ";

    @ParameterizedTest(name = "{0} shard(s)")
    @ValueSource(ints = {1, 2})
    void aMonitorSeesWhatRedisShows(int shards) throws Exception {
        try (RespClient monitor = server(shards).client(); RespClient c = server(shards).client()) {
            assertEquals("OK", monitor.call("MONITOR"));
            String address = ((String) c.call("CLIENT", "INFO")).replaceAll("(?s).* addr=(\\S+) .*", "$1");
            ByteArrayOutputStream script = new ByteArrayOutputStream();
            for (String[] command : new String[][] {
                {"AUTH", "a", "b"}, {"HELLO", "3", "AUTH", "x", "y"}, {"SET", "k", "v"}, {"SET", "a b", "x\"y"},
                {"MULTI"}, {"SET", "k", "1"}, {"INCR", "k"}, {"EXEC"},
                {"CONFIG", "GET", "maxmemory"}, {"SLOWLOG", "LEN"}, {"GET", "a", "extra"}, {"NOSUCHCOMMAND"},
                {"MULTI"}, {"SET", "q", "1"}, {"DISCARD"}, {"PING"}}) {
                script.writeBytes(RespClient.encode(command));
            }
            script.writeBytes("*3\r\n$3\r\nSET\r\n$3\r\nbin\r\n$7\r\n\u0001\u00ff\n\t\\\u0007\b\r\n".getBytes(StandardCharsets.ISO_8859_1));
            c.sendRaw(script.toByteArray());
            for (int i = 0; i < 17; i++) {
                c.read();
            }
            List<String> expected = List.of(
                    "\"CLIENT\" \"INFO\"",
                    "\"AUTH\" \"(redacted)\" \"(redacted)\"",
                    "\"HELLO\" \"3\" \"AUTH\" \"(redacted)\" \"(redacted)\"",
                    "\"SET\" \"k\" \"v\"",
                    "\"SET\" \"a b\" \"x\\\"y\"",
                    "\"MULTI\"",
                    "\"SET\" \"k\" \"1\"",
                    "\"INCR\" \"k\"",
                    "\"EXEC\"",
                    "\"MULTI\"",
                    "\"DISCARD\"",
                    "\"PING\"",
                    "\"SET\" \"bin\" \"\\x01\\xff\\n\\t\\\\\\a\\b\"");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                String line = (String) monitor.read();
                assertTrue(line.matches(PREFIX + ".*"), line);
                assertTrue(line.contains(" [0 " + address + "] "), "the sender's address: " + line);
                seen.add(line.replaceFirst(PREFIX, ""));
            }
            assertEquals(expected, seen);

            // The monitoring connection itself.
            assertEquals("PONG", monitor.call("PING"));
            assertEquals("\"PING\"", ((String) monitor.read()).replaceFirst(PREFIX, ""), "shown after its reply");
            assertEquals(new RespClient.Error("ERR Replica can't interact with the keyspace"), monitor.call("GET", "k"));
            assertEquals(new RespClient.Error("ERR Replica can't interact with the keyspace"), monitor.call("SET", "k", "2"));
            monitor.send("MONITOR"); // ignored: no reply
            assertEquals("PONG", monitor.call("PING"));
            assertEquals("\"PING\"", ((String) monitor.read()).replaceFirst(PREFIX, ""));
            assertEquals("RESET", monitor.call("RESET"));
            assertEquals("OK", c.call("SET", "after", "reset")); // its line, if any, would be sent before this reply
            assertEquals("PONG", monitor.call("PING"), "no line after RESET");
            assertEquals("2", monitor.call("GET", "k"), "the keyspace again (INCR ran in the transaction)");
        }
    }

    @Test
    void aMonitorOnEachShardSeesTheCommandsOfConnectionsOnBoth() throws Exception {
        try (KvTestServer server = KvTestServer.withShardPorts(2, DriverKind.AUTO,
                KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient monitor0 = new RespClient(server.shardPorts.port(0));
             RespClient monitor1 = new RespClient(server.shardPorts.port(1));
             RespClient on0 = new RespClient(server.shardPorts.port(0));
             RespClient on1 = new RespClient(server.shardPorts.port(1))) {
            assertEquals("OK", monitor0.call("MONITOR"));
            assertEquals("OK", monitor1.call("MONITOR"));
            assertEquals("PONG", on0.call("PING"));
            assertEquals("x", on1.call("ECHO", "x"));
            for (RespClient monitor : List.of(monitor0, monitor1)) {
                java.util.Set<String> lines = java.util.Set.of(((String) monitor.read()).replaceFirst(PREFIX, ""),
                        ((String) monitor.read()).replaceFirst(PREFIX, ""));
                // Lines of connections on different shards may interleave either way (one connection's keep its order).
                assertEquals(java.util.Set.of("\"PING\"", "\"ECHO\" \"x\""), lines, "both shards' commands");
            }
            // A monitor that ends stops the feed to its shard: the other still sees everything.
            monitor0.close();
            assertEquals("y", on0.call("ECHO", "y"));
            assertEquals("\"ECHO\" \"y\"", ((String) monitor1.read()).replaceFirst(PREFIX, ""));
            assertInstanceOf(String.class, on1.call("INFO", "server"));
            assertEquals("\"INFO\" \"server\"", ((String) monitor1.read()).replaceFirst(PREFIX, ""));
        }
    }
}
