package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WrkTest {
    /** The output of wrk 4.1.0 (Debian) with --latency, as recorded on this project's machine. */
    private static final String OUTPUT = """
            Running 2s test @ http://127.0.0.1:38275/plaintext
              2 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.12ms    2.05ms  31.47ms   91.02%
                Req/Sec    74.21k     9.87k   89.12k    70.00%
              Latency Distribution
                 50%  395.00us
                 75%    0.93ms
                 90%    2.87ms
                 99%   10.51ms
              295371 requests in 2.00s, 41.54MB read
              Socket errors: connect 0, read 2, write 1, timeout 4
              Non-2xx or 3xx responses: 12
            Requests/sec: 147668.90
            Transfer/sec:     20.75MB
            """;

    @Test
    void readsThroughputLatencyAndErrors() {
        Wrk.Result result = Wrk.parse(OUTPUT);
        assertEquals(147668.90, result.requestsPerSecond(), 1e-6);
        assertEquals(10.51, result.p99Millis(), 1e-9);
        assertEquals(12, result.non2xx());
        assertEquals(7, result.socketErrors());
        assertEquals(295371, result.requests());
    }

    @Test
    void convertsLatencyUnitsToMilliseconds() {
        assertEquals(0.855, Wrk.parse(OUTPUT.replace("99%   10.51ms", "99%  855.00us")).p99Millis(), 1e-9);
        assertEquals(1200, Wrk.parse(OUTPUT.replace("99%   10.51ms", "99%    1.20s")).p99Millis(), 1e-9);
    }

    @Test
    void aCleanRunHasNoErrors() {
        String clean = OUTPUT.replace("  Socket errors: connect 0, read 2, write 1, timeout 4\n", "")
                .replace("  Non-2xx or 3xx responses: 12\n", "");
        Wrk.Result result = Wrk.parse(clean);
        assertEquals(0, result.non2xx());
        assertEquals(0, result.socketErrors());
    }

    @Test
    void refusesOutputWithoutFigures() {
        assertThrows(IllegalStateException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void readsTheReadyLine() {
        assertEquals(Map.of("example", "netty-http", "host", "127.0.0.1", "port", "40741", "driver", "epoll", "shards", "2"),
                ServerProcess.parseReadyLine("atoll ready example=netty-http host=127.0.0.1 port=40741 driver=epoll shards=2"));
        assertThrows(IllegalArgumentException.class, () -> ServerProcess.parseReadyLine("atoll ready example=http port=1"));
    }
}
