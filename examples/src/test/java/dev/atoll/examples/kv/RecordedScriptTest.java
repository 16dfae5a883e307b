package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The three checks of a test whose commands and replies were recorded from redis-server ({@link RecordedScript}). */
abstract class RecordedScriptTest {
    /** The recorded script this test checks. */
    abstract RecordedScript script();

    /** One command of a script, word by word. */
    static List<String> step(String... words) {
        return List.of(words);
    }

    /** EVAL of {@code lua} with no keys, as one step. */
    static List<String> eval(String lua) {
        return step("EVAL", lua, "0");
    }

    /** Atoll, on 1 and 2 shards, answers every command of the script as the recording says. */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void answersAsRedis(int shards) throws Exception {
        assertEquals(List.of(), script().differencesOnAtoll(shards));
    }

    /** The recording is what a running redis-server answers (skipped when none is installed). */
    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(List.of(), script().checkAgainstRedis());
    }

    /** The script in RESP3, reply for reply against a running redis-server (skipped when none is installed). */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void everyReplyIsRedisSOwnInResp3(int shards) throws Exception {
        script().assertResp3AsRedis(shards);
    }
}
