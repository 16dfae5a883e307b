package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BITOP (issue 18): AND, OR, XOR, NOT over present, missing and wrong-typed keys, the destination
 * replaced (type and expiry) or deleted, the errors, OBJECT ENCODING of what BITOP and BITFIELD wrote — replies equal to redis-server 7.0.15's recorded
 * ones ({@code kv/bitop-replies.txt}) on 1 shard and on 2, where the keys of the script are spread over
 * both shards (the path through {@link CrossShard}'s transaction).
 */
class KvBitopTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/bitop-replies.txt", List.of(
            List.of("SET", "a", "foobar"),
            List.of("SET", "b", "abcdef"),
            List.of("SET", "c", "xyz"),
            List.of("BITOP", "AND", "dest", "a", "b"),
            List.of("GET", "dest"),
            List.of("BITOP", "OR", "dest", "a", "b", "c"),
            List.of("GET", "dest"),
            List.of("BITOP", "XOR", "dest", "a", "b", "c", "missing"),
            List.of("GET", "dest"),
            List.of("BITOP", "NOT", "dest", "c"),
            List.of("GET", "dest"),
            List.of("BITOP", "and", "dest", "a", "missing"),
            List.of("GET", "dest"),
            List.of("BITOP", "NOT", "dest", "missing"),
            List.of("EXISTS", "dest"),
            List.of("BITOP", "OR", "dest", "missing", "other"),
            List.of("EXISTS", "dest"),
            List.of("BITOP", "NOT", "dest", "a", "b"),
            List.of("BITOP", "FOO", "dest", "a"),
            List.of("BITOP", "AND", "dest"),
            List.of("LPUSH", "l", "x"),
            List.of("BITOP", "OR", "dest", "a", "l"),
            List.of("BITOP", "OR", "l", "a"),
            List.of("TYPE", "l"),
            List.of("GET", "l"),
            List.of("SET", "e", "v", "EX", "100"),
            List.of("BITOP", "OR", "e", "a"),
            List.of("TTL", "e"),
            List.of("BITOP", "OR", "a", "a", "c"),
            List.of("GET", "a"),
            List.of("SET", "n", "255"),
            List.of("BITOP", "NOT", "n", "n"),
            List.of("STRLEN", "n"),
            List.of("BITOP", "Xor", "dest", "c", "c"),
            List.of("GET", "dest"),
            List.of("SET", "digits", "12"),
            List.of("BITOP", "OR", "dd", "digits"),
            List.of("OBJECT", "ENCODING", "dd"),
            List.of("BITFIELD", "nb", "SET", "u8", "0", "1"),
            List.of("OBJECT", "ENCODING", "nb"),
            List.of("SET", "ni", "12"),
            List.of("BITFIELD", "ni", "GET", "u8", "0"),
            List.of("OBJECT", "ENCODING", "ni"),
            List.of("BITFIELD", "ni", "SET", "u8", "0", "50"),
            List.of("OBJECT", "ENCODING", "ni"),
            List.of("BITFIELD", "nf", "OVERFLOW", "FAIL", "SET", "u8", "0", "256"),
            List.of("OBJECT", "ENCODING", "nf")
    ));

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void bitopAnswersAsRedis(int shards) throws Exception {
        assertEquals(List.of(), SCRIPT.differencesOnAtoll(shards));
    }

    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(List.of(), SCRIPT.checkAgainstRedis());
    }
}
