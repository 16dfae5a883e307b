package dev.atoll.examples.kv;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code kv { }} settings: the defaults of reference.conf, and errors that name key, value and origin. */
class KvSettingsTest {
    @Test
    void defaults() {
        KvSettings s = KvSettings.from(AtollConfig.parse("", "test").reader());
        assertEquals(new KvSettings(true, KvSettings.FsyncPolicy.EVERYSEC, Path.of("data/kv"), 64L << 20, 100, 16L << 20,
                64 << 20, 10_000, Duration.ZERO, ""), s);
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndWhereItCameFrom() {
        String message = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.appendfsync = sometimes", "my.conf").reader())).getMessage();
        assertTrue(message.contains("kv.appendfsync") && message.contains("sometimes")
                && message.contains("always, everysec, no") && message.contains("my.conf"), message);
        String size = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.max-request-bytes = 10", "my.conf").reader())).getMessage();
        assertTrue(size.contains("kv.max-request-bytes"), size);
        String queued = assertThrows(InvalidConfigException.class, () -> KvSettings.from(
                AtollConfig.parse("kv.aof.max-queued-bytes = 1k", "my.conf").reader())).getMessage();
        assertTrue(queued.contains("kv.aof.max-queued-bytes") && queued.contains("my.conf"), queued);
    }
}
