package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisBenchmarkTest {

    /** Output of redis-benchmark 7.0.15 (Debian) with --csv, recorded on this project's machine (a loaded moment). */
    private static String recorded(String name) throws IOException {
        try (InputStream in = RedisBenchmarkTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsThroughputAndLatenciesOfTheCsvLine() throws IOException {
        RedisBenchmark.Result set = RedisBenchmark.parse(recorded("redis-benchmark-set.csv"), "set");
        assertEquals(new RedisBenchmark.Result(13824.57, 3.046, 0.207, 3.367, 48.415, 1399.807), set);
        RedisBenchmark.Result get = RedisBenchmark.parse(recorded("redis-benchmark-get-p16.csv"), "get");
        assertEquals(new RedisBenchmark.Result(220815.53, 3.389, 0.887, 5.439, 71.743, 344.575), get);
    }

    @Test
    void readsTheLogRewritesOfInfoPersistence() {
        // redis-server 7.0.15's fields, CRLF line ends; the one whose name begins alike comes first here
        String info = "# Persistence\r\nloading:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
                + "aof_rewrites_consecutive_failures:0\r\naof_rewrites:3\r\naof_last_rewrite_time_sec:0\r\n";
        assertEquals(3, RedisBenchmark.logRewrites(info, "redis-7.0.15"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RedisBenchmark.logRewrites("# Persistence\r\nloading:0\r\n", "atoll"));
        assertTrue(e.getMessage().contains("without aof_rewrites from atoll"), e.getMessage());
    }

    @Test
    void toleratesTheWarningOfAServerThatDoesNotAnswerConfigGet() throws IOException {
        String output = "WARNING: Could not fetch server CONFIG\n" + recorded("redis-benchmark-set.csv");
        assertEquals(13824.57, RedisBenchmark.parse(output, "set").requestsPerSecond(), 1e-9);
    }

    @Test
    void refusesOutputWithoutTheTestsLine() throws IOException {
        String set = recorded("redis-benchmark-set.csv");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RedisBenchmark.parse(set, "get"));
        assertTrue(e.getMessage().contains("no GET line"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> RedisBenchmark.parse("Could not connect to Redis at 127.0.0.1:1:"
                + " Connection refused\n", "set"));
        assertThrows(IllegalStateException.class, () -> RedisBenchmark.parse("\"SET\",\"12.5\",\"0.1\"\n", "set"));
        assertThrows(IllegalStateException.class,
                () -> RedisBenchmark.parse("\"SET\",\"n/a\",\"0.1\",\"0\",\"0\",\"0\",\"0\",\"0\"\n", "set"));
    }

    @Test
    void asksForTheLoadItIsGiven() {
        assertEquals(List.of("-c", "50", "-n", "200000", "-r", "100000", "-P", "16", "-t", "get", "--csv"),
                new RedisBenchmark.Load("get", 50, 200_000, 100_000, 16).arguments());
        assertEquals(List.of("-c", "50", "-n", "1000", "-r", "100000", "-P", "1", "-k", "0", "-t", "ping_mbulk", "--csv"),
                new RedisBenchmark.Load("ping_mbulk", 50, 1000, 100_000, 1).reconnecting().arguments());
    }

    @Test
    void findsTheLinesOfTheSuitesTestsAndOfAGivenCommand() {
        String csv = """
                "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
                "LPUSH (needed to benchmark LRANGE)","51282.05","0.503","0.280","0.503","0.551","0.583","0.759"
                "LRANGE_100 (first 100 elements)","44444.44","0.574","0.224","0.567","0.639","1.151","1.511"
                "MSET (10 keys)","51282.05","0.648","0.216","0.503","1.239","1.727","1.943"
                "LRANGE mylist 0 99","42553.19","0.594","0.272","0.591","0.679","0.823","1.303"
                """;
        assertEquals(44444.44, RedisBenchmark.parse(csv, "lrange_100").requestsPerSecond(), 1e-9);
        assertEquals(1.727, RedisBenchmark.parse(csv, "mset").p99Millis(), 1e-9);
        assertEquals(42553.19, RedisBenchmark.parse(csv, "LRANGE mylist 0 99").requestsPerSecond(), 1e-9);
        assertThrows(IllegalStateException.class, () -> RedisBenchmark.parse(csv, "lrange_10"));
    }

    @Test
    void givesACommandWholeAfterTheOptions() {
        RedisBenchmark.Load load = RedisBenchmark.Load.command(List.of("LRANGE", "mylist", "0", "99"), 50, 1000, 100_000, 1);
        assertEquals("LRANGE mylist 0 99", load.test());
        assertEquals(List.of("-c", "50", "-n", "1000", "-r", "100000", "-P", "1", "--csv", "LRANGE", "mylist", "0", "99"),
                load.arguments());
    }
}
