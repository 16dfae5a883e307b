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

    @Test
    void runsRedisBenchmarksDefaultSuiteInItsOrderWithoutAndWithPipelining() {
        List<String> names = KvBench.SUITE.stream().filter(KvBench.Test::reported).map(KvBench.Test::name).toList();
        List<String> once = List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP",
                "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_300", "LRANGE_500", "LRANGE_600", "MSET");
        assertEquals(once, names.subList(0, once.size()));
        assertEquals(once.stream().map(name -> name + " -P 16").toList(), names.subList(once.size(), names.size()));
        // redis-benchmark fills the LRANGEs' list right before them; so does the suite, unreported.
        int fill = KvBench.SUITE.indexOf(KvBench.SUITE.stream().filter(test -> !test.reported()).findFirst().orElseThrow());
        assertEquals("lpush", KvBench.SUITE.get(fill).test());
        assertEquals("LRANGE_100", KvBench.SUITE.get(fill + 1).name());
        assertEquals(List.of("-c", "50", "-n", "10000", "-r", "100000", "-P", "1", "--csv", "LRANGE", "mylist", "0", "599"),
                KvBench.SUITE.get(fill + 4).load(120_000).arguments());
    }
}
