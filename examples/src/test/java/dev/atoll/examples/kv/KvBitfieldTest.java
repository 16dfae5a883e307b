package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * BITFIELD and BITFIELD_RO (issue 18): a script of signed and unsigned fields of 1 to 64 bits, {@code #}
 * offsets, GET past the end, SET and INCRBY under WRAP, SAT and FAIL at the edges of each width, the
 * string grown to the farthest write, and every error, whose replies must be, on 1 and 2 shards, what
 * redis-server 7.0.15 answered ({@code kv/bitfield-replies.txt}, checked against a fresh redis-server
 * when one is installed).
 */
class KvBitfieldTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/bitfield-replies.txt", List.of(
            List.of("BITFIELD", "{b}k"),
            List.of("BITFIELD", "{b}k", "GET", "u8", "0"),
            List.of("EXISTS", "{b}k"),
            List.of("BITFIELD", "{b}k", "SET", "u8", "0", "255", "GET", "u8", "0"),
            List.of("BITFIELD", "{b}k", "SET", "i8", "#1", "-100", "GET", "i8", "8", "GET", "u8", "#1"),
            List.of("GET", "{b}k"),
            List.of("BITFIELD", "{b}k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1"),
            List.of("STRLEN", "{b}k"),
            List.of("BITFIELD", "{b}k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1"),
            List.of("BITFIELD", "{b}k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "1", "GET", "u2", "100"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "WRAP", "INCRBY", "i8", "200", "127", "INCRBY", "i8", "200", "1", "GET", "i8", "200"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "SAT", "INCRBY", "i8", "200", "-300", "INCRBY", "i8", "200", "300", "INCRBY", "i8", "200", "-1000"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "FAIL", "SET", "i8", "300", "128", "SET", "i8", "300", "-128", "SET", "u8", "300", "-1", "SET", "u8", "300", "256"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "SAT", "SET", "u8", "400", "-1", "SET", "u8", "408", "300", "SET", "i4", "416", "8", "SET", "i4", "420", "-9", "GET", "u8", "400", "GET", "u8", "408", "GET", "u8", "416"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "WRAP", "SET", "u8", "432", "-1", "SET", "u8", "440", "300", "SET", "i4", "448", "8", "SET", "i4", "452", "-9", "GET", "u8", "432", "GET", "u8", "440", "GET", "u8", "448"),
            List.of("BITFIELD", "{b}k", "SET", "i64", "500", "-1", "GET", "i64", "500", "GET", "u63", "500", "INCRBY", "i64", "500", "1", "GET", "i64", "500"),
            List.of("BITFIELD", "{b}k", "SET", "i64", "600", "9223372036854775807", "INCRBY", "i64", "600", "1", "GET", "i64", "600"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "SAT", "SET", "i64", "700", "9223372036854775807", "INCRBY", "i64", "700", "1", "INCRBY", "i64", "700", "-9223372036854775808", "INCRBY", "i64", "700", "-9223372036854775808"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "FAIL", "SET", "i64", "800", "-9223372036854775808", "INCRBY", "i64", "800", "-1", "GET", "i64", "800"),
            List.of("BITFIELD", "{b}k", "SET", "u63", "900", "9223372036854775807", "INCRBY", "u63", "900", "1", "GET", "u63", "900"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "SAT", "SET", "u63", "1000", "100", "INCRBY", "u63", "1000", "-200", "INCRBY", "u63", "1000", "9223372036854775807"),
            List.of("BITFIELD", "{b}k", "SET", "u1", "1100", "1", "SET", "i1", "1101", "-1", "SET", "i1", "1102", "1", "GET", "i1", "1101", "GET", "i1", "1102", "GET", "u1", "1100"),
            List.of("STRLEN", "{b}k"),
            List.of("BITFIELD", "{b}k", "GET", "u8", "100000"),
            List.of("STRLEN", "{b}k"),
            List.of("BITFIELD", "{b}k", "GET", "u64", "0"),
            List.of("BITFIELD", "{b}k", "GET", "i65", "0"),
            List.of("BITFIELD", "{b}k", "GET", "i0", "0"),
            List.of("BITFIELD", "{b}k", "GET", "I8", "0"),
            List.of("BITFIELD", "{b}k", "GET", "x8", "0"),
            List.of("BITFIELD", "{b}k", "GET", "i08", "0"),
            List.of("BITFIELD", "{b}k", "GET", "i8", "-1"),
            List.of("BITFIELD", "{b}k", "GET", "i8", "#-1"),
            List.of("BITFIELD", "{b}k", "GET", "i8", "abc"),
            List.of("BITFIELD", "{b}k", "GET", "i8", "4294967296"),
            List.of("BITFIELD", "{b}k", "GET", "i8", "#536870912"),
            List.of("BITFIELD", "{b}k", "SET", "i8", "0", "abc"),
            List.of("BITFIELD", "{b}k", "SET", "i8", "0"),
            List.of("BITFIELD", "{b}k", "FOO", "i8", "0"),
            List.of("BITFIELD", "{b}k", "OVERFLOW", "MAYBE", "GET", "i8", "0"),
            List.of("BITFIELD", "{b}k", "OVERFLOW"),
            List.of("BITFIELD", "{b}k", "get", "i8", "0", "GET", "i8", "0", "Get", "i8", "#0"),
            List.of("BITFIELD_RO", "{b}k", "GET", "u8", "0", "GET", "i16", "#1"),
            List.of("BITFIELD_RO", "{b}k", "GET", "u8", "0", "SET", "u8", "0", "1"),
            List.of("BITFIELD_RO", "{b}k", "INCRBY", "u8", "0", "1"),
            List.of("BITFIELD_RO", "{b}new", "GET", "u8", "0"),
            List.of("BITFIELD", "{b}new", "OVERFLOW", "FAIL", "SET", "i8", "0", "200"),
            List.of("GET", "{b}new"),
            List.of("STRLEN", "{b}new"),
            List.of("SET", "{b}s", "hello"),
            List.of("BITFIELD", "{b}s", "GET", "u8", "0", "SET", "u8", "0", "72", "GET", "u8", "#4"),
            List.of("GET", "{b}s"),
            List.of("BITFIELD", "{b}s", "SET", "u16", "32", "0"),
            List.of("GET", "{b}s"),
            List.of("LPUSH", "{b}l", "x"),
            List.of("BITFIELD", "{b}l", "GET", "u8", "0"),
            List.of("BITFIELD", "{b}l", "SET", "u8", "0", "1"),
            List.of("BITFIELD_RO", "{b}l", "GET", "u8", "0"),
            List.of("SET", "{b}n", "12345"),
            List.of("BITFIELD", "{b}n", "INCRBY", "u8", "0", "1"),
            List.of("GET", "{b}n")
    ));

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void bitfieldAnswersAsRedis(int shards) throws Exception {
        assertEquals(List.of(), SCRIPT.differencesOnAtoll(shards));
    }

    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(List.of(), SCRIPT.checkAgainstRedis());
    }

    /** What BITFIELD wrote, and the growth of a write that failed, are logged: the same bytes after a restart. */
    @Test
    void writesSurviveARestart(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals("OK", c.call("SET", "k", "ab"));
            assertEquals(List.of(97L, 3L), c.call("BITFIELD", "k", "SET", "u8", "#0", "65", "INCRBY", "i4", "#3", "1")); // b: 0x62
            assertEquals(List.of(-1L), c.call("BITFIELD", "g", "OVERFLOW", "WRAP", "INCRBY", "i8", "#1", "-1"));
            assertEquals(java.util.Collections.singletonList(null), c.call("BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u4", "20", "16"));
        }
        try (KvTestServer kv = KvTestServer.start(3, DriverKind.AUTO, settings); RespClient c = kv.client()) {
            assertEquals("Ac", c.call("GET", "k"));
            assertEquals(List.of(65L, 3L), c.call("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "#3"));
            assertEquals(List.of(0L, -1L), c.call("BITFIELD_RO", "g", "GET", "u8", "0", "GET", "i8", "8"));
            assertEquals(3L, c.call("STRLEN", "f"));   // grown to its farthest write though the write failed
        }
    }

    /** A BITFIELD write is a change WATCH sees; GETs alone are not. */
    @Test
    void aWriteIsAChangeToAWatchedKey() throws Exception {
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
             RespClient c = kv.client(); RespClient other = kv.client()) {
            assertEquals("OK", c.call("SET", "w", "x"));
            assertEquals("OK", c.call("WATCH", "w"));
            assertEquals(List.of(120L), other.call("BITFIELD", "w", "GET", "u8", "0"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "w"));
            assertEquals(List.of("x"), c.call("EXEC"));
            assertEquals("OK", c.call("WATCH", "w"));
            assertEquals(List.of(120L), other.call("BITFIELD", "w", "SET", "u8", "0", "121"));
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GET", "w"));
            assertNull(c.call("EXEC"));
        }
    }
}
