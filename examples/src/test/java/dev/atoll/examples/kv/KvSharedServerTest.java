package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The base of command tests that share one server of {@link #SHARDS} shards per class, flushed before each test. */
abstract class KvSharedServerTest {
    static final int SHARDS = 3;
    static KvTestServer server;
    static RespClient c;

    @BeforeAll
    static void start() throws Exception {
        server = KvTestServer.start(SHARDS, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
        c = server.client();
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
        server.close();
    }

    @BeforeEach
    void flush() throws Exception {
        assertEquals("OK", c.call("FLUSHALL"));
    }

    static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }

    static void assertError(String prefix, Object reply) {
        assertInstanceOf(RespClient.Error.class, reply, String.valueOf(reply));
        assertTrue(((RespClient.Error) reply).text().startsWith(prefix), reply.toString());
    }
}
