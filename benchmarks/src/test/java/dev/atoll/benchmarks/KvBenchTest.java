package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvBenchTest {

    @Test
    void givesBothServersTheSamePersistence() {
        KvBench.Persistence persistence = KvBench.Persistence.of("yes", "always");
        assertEquals(List.of("--appendonly", "yes", "--appendfsync", "always"), persistence.redisSettings());
        assertEquals(List.of("-Dkv.appendonly=yes", "-Dkv.appendfsync=always", "-Dkv.dir=/tmp/x"),
                persistence.atollProperties(Path.of("/tmp/x")));
        assertEquals(List.of("--appendonly", "no", "--appendfsync", "everysec"),
                KvBench.Persistence.of("no", "everysec").redisSettings());
    }

    @Test
    void refusesAnUnknownPersistenceNamingKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvBench.Persistence.of("yes", "sometimes"));
        assertTrue(e.getMessage().contains("kv.appendfsync") && e.getMessage().contains("sometimes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KvBench.Persistence.of("maybe", "no"));
        assertTrue(e.getMessage().contains("kv.appendonly") && e.getMessage().contains("maybe"), e.getMessage());
    }

    @Test
    void isListed() {
        assertTrue(Benchmarks.list().contains("  kv "), Benchmarks.list());
    }
}
