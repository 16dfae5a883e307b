package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LATENCY with data (issue 18): the latency monitor's events (threshold, LATEST, HISTORY, GRAPH,
 * DOCTOR, RESET; merged across shards), the per-command histograms (LATENCY HISTOGRAM, INFO
 * latencystats, latency-tracking, the percentiles setting, CONFIG RESETSTAT), on 1 and 2 shards, RESP2
 * and RESP3; their shapes, CONFIG GET and every CONFIG SET error against redis-server 7.0.15 when it is
 * installed (values that are times compared by shape).
 */
class KvLatencyTest {
    private static final Pattern PERCENTILES = Pattern.compile("latency_percentiles_usec_([a-z|]+):(.*)");

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    /** The calls per command row of a LATENCY HISTOGRAM reply (RESP2's flat arrays or RESP3's maps), each bucket checked. */
    private static Map<String, Long> calls(Object reply) {
        Map<String, Long> calls = new java.util.TreeMap<>(); // Redis lists them in its dict's order
        Map<Object, Object> rows = map(reply);
        rows.forEach((name, row) -> {
            Map<Object, Object> fields = map(row);
            assertEquals(List.of("calls", "histogram_usec"), new ArrayList<>(fields.keySet()), String.valueOf(row));
            long total = (Long) fields.get("calls");
            long previous = 0;
            for (Map.Entry<Object, Object> bucket : map(fields.get("histogram_usec")).entrySet()) {
                long usec = (Long) bucket.getKey();
                long cumulative = (Long) bucket.getValue();
                assertTrue(BUCKETS.contains(usec), "bucket " + usec + " of " + name);
                assertTrue(cumulative > previous, "cumulative counts grow: " + row);
                previous = cumulative;
            }
            assertEquals(total, previous, "the last bucket counts every call: " + row);
            calls.put((String) name, total);
        });
        return calls;
    }

    /** The keys Redis's log iterator (1024 ns, base 2) can give: each power-of-two bucket's highest equivalent value in µs. */
    private static final List<Long> BUCKETS = buckets();

    private static List<Long> buckets() {
        Histogram h = new Histogram(LatencyMonitor.HISTOGRAM_MIN, LatencyMonitor.HISTOGRAM_MAX, LatencyMonitor.HISTOGRAM_DIGITS);
        List<Long> keys = new ArrayList<>();
        for (long level = 1024; level <= 2 * LatencyMonitor.HISTOGRAM_MAX; level *= 2) {
            keys.add(h.highestEquivalentValue(level) / 1000);
        }
        return keys;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object reply) {
        if (reply instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        List<?> flat = (List<?>) reply;
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            m.put(flat.get(i), flat.get(i + 1));
        }
        return m;
    }

    private static Map<String, String> percentiles(RespClient c) throws Exception {
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : ((String) c.call("INFO", "latencystats")).split("\r\n")) {
            Matcher m = PERCENTILES.matcher(line);
            if (m.matches()) {
                lines.put(m.group(1), m.group(2));
            }
        }
        return lines;
    }

    /** What a fresh server answers to a script of SETs, GETs and histogram reads (calls exact, buckets checked). */
    private static List<Object> histogramScript(RespClient c) throws Exception {
        List<Object> replies = new ArrayList<>();
        c.call("SET", "k", "v");
        c.call("GET", "k");
        c.call("GET", "nokey");
        c.call("CONFIG", "GET", "maxmemory");
        replies.add(calls(c.call("LATENCY", "HISTOGRAM", "set", "GET", "config", "nosuch")));
        replies.add(calls(c.call("LATENCY", "HISTOGRAM", "config|get")));
        replies.add(calls(c.call("LATENCY", "HISTOGRAM", "nosuch")));
        Map<String, Long> all = calls(c.call("LATENCY", "HISTOGRAM"));
        all.remove("latency|histogram"); // Redis counts a call after its reply; a fan-out's call is counted before its parts
        all.remove("hello");
        replies.add(all);
        replies.add(new java.util.TreeMap<>(map(c.call("CONFIG", "GET", "latency*"))));
        Map<String, String> info = percentiles(c);
        replies.add(new java.util.TreeSet<>(info.keySet()));
        String get = info.get("get");
        assertTrue(get.matches("p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}"), get);
        replies.add(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50.5 100 0"));
        assertTrue(percentiles(c).get("set").matches("p50\\.5=\\d+\\.\\d{3},p100=\\d+\\.\\d{3},p0=\\d+\\.\\d{3}"), percentiles(c).toString());
        replies.add(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", ""));
        replies.add(percentiles(c).get("set"));
        replies.add(c.call("CONFIG", "GET", "latency-tracking-info-percentiles"));
        replies.add(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "50 x"));
        replies.add(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "101"));
        replies.add(c.call("CONFIG", "SET", "latency-tracking-info-percentiles", "-1"));
        replies.add(c.call("CONFIG", "SET", "latency-monitor-threshold", "-1"));
        replies.add(c.call("CONFIG", "SET", "latency-monitor-threshold", "x"));
        replies.add(c.call("CONFIG", "SET", "latency-tracking", "maybe"));
        replies.add(c.call("CONFIG", "SET", "latency-tracking", "no"));
        c.call("SET", "k", "v2");
        replies.add(calls(c.call("LATENCY", "HISTOGRAM", "set")));   // not tracked: still one call
        replies.add(c.call("CONFIG", "SET", "latency-tracking", "yes"));
        c.call("SET", "k", "v3");
        replies.add(calls(c.call("LATENCY", "HISTOGRAM", "set")));
        replies.add(c.call("CONFIG", "RESETSTAT"));
        replies.add(calls(c.call("LATENCY", "HISTOGRAM", "set", "get")));
        replies.add(new java.util.TreeMap<>(map(c.call("CONFIG", "GET", "latency*"))));
        replies.add(c.call("LATENCY", "HISTOGRAM", "foo", "bar"));
        replies.add(c.call("LATENCY", "HELP"));
        replies.add(c.call("LATENCY", "LATEST"));
        replies.add(c.call("LATENCY", "HISTORY", "command"));
        replies.add(c.call("LATENCY", "GRAPH", "command"));
        replies.add(c.call("LATENCY", "RESET"));
        replies.add(c.call("LATENCY", "RESET", "command", "x"));
        replies.add(c.call("LATENCY", "foo"));
        replies.add(c.call("LATENCY", "LATEST", "x"));
        replies.add(c.call("LATENCY", "GRAPH"));
        return replies;
    }

    @ParameterizedTest(name = "{0} shards, RESP{1}")
    @CsvSource({"1, 2", "1, 3", "2, 2", "2, 3"})
    void histogramsAndSettings(int shards, int protocol) throws Exception {
        try (KvTestServer kv = server(shards); RespClient c = kv.client()) {
            if (protocol == 3) {
                c.call("HELLO", "3");
            }
            List<Object> replies = histogramScript(c);
            assertEquals(Map.of("set", 1L, "get", 2L, "config|get", 1L), replies.get(0));
            assertEquals(Map.of("config|get", 1L), replies.get(1));
            assertEquals(Map.of(), replies.get(2));
            assertEquals(Map.of("set", 1L), replies.get(17));
            assertEquals(Map.of("set", 2L), replies.get(19));
            assertEquals(Map.of(), replies.get(21));
        }
    }

    /** The same script against redis-server 7.0.15 (skipped when none is installed): every reply equal, times by shape. */
    @ParameterizedTest(name = "{0} shards, RESP{1}")
    @CsvSource({"1, 2", "2, 3"})
    void histogramsAndSettingsAsRedis(int shards, int protocol) throws Exception {
        RecordedScript.withRedis(port -> {
            try (KvTestServer atoll = server(shards); RespClient a = atoll.client(); RespClient r = KvRedisComparisonTest.connect(port)) {
                if (protocol == 3) {
                    a.call("HELLO", "3");
                    r.call("HELLO", "3");
                }
                assertEquals(histogramScript(r), histogramScript(a));
            }
            return null;
        });
    }

    /**
     * Events: a DEBUG SLEEP over the threshold is a "command" event on its connection's shard; with
     * connections on two shards the events merge (one event, the worse sample of a second, the worst
     * ever); LATEST, HISTORY, GRAPH, DOCTOR and RESET read the merge; below the threshold nothing is sampled.
     */
    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    void eventsOfEveryShardMerge(int protocol) throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer kv = server(2)) {
            RespClient first = KvBlockingTest.clientOn(kv, 0, spare);
            RespClient second = KvBlockingTest.clientOn(kv, 1, spare);
            if (protocol == 3) {
                first.call("HELLO", "3");
            }
            assertEquals("OK", first.call("CONFIG", "SET", "latency-monitor-threshold", "40"));
            assertEquals(List.of("latency-monitor-threshold", "40"), map(first.call("CONFIG", "GET", "latency-monitor-threshold"))
                    .entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toList());
            second.call("DEBUG", "SLEEP", "0.01"); // below the threshold: nothing
            assertEquals(List.of(), first.call("LATENCY", "LATEST"));
            long before = System.currentTimeMillis() / 1000;
            first.call("DEBUG", "SLEEP", "0.05");
            second.call("DEBUG", "SLEEP", "0.12");
            long after = System.currentTimeMillis() / 1000;
            List<?> latest = (List<?>) first.call("LATENCY", "LATEST");
            assertEquals(1, latest.size(), latest.toString());
            List<?> command = (List<?>) latest.get(0);
            assertEquals("command", command.get(0));
            long time = (Long) command.get(1);
            assertTrue(time >= before && time <= after, command.toString());
            assertTrue((Long) command.get(3) >= 120, "the worst ever is the second shard's: " + command);
            List<?> history = (List<?>) first.call("LATENCY", "HISTORY", "command");
            assertTrue(history.size() == 1 || history.size() == 2, history.toString()); // one per second
            long worst = 0;
            for (Object sample : history) {
                worst = Math.max(worst, (Long) ((List<?>) sample).get(1));
            }
            assertTrue(worst >= 120, history.toString());
            String graph = (String) first.call("LATENCY", "GRAPH", "command");
            String[] lines = graph.split("\n");
            assertTrue(lines[0].matches("command - high \\d+ ms, low \\d+ ms \\(all time high \\d+ ms\\)"), graph);
            assertEquals("-".repeat(80), lines[1]);
            assertEquals(4 + 1 + 2, lines.length - 2, graph); // 4 rows of bars, a blank row, a label "0s" or "1s"
            String doctor = (String) first.call("LATENCY", "DOCTOR");
            assertTrue(doctor.contains("1. command: " + history.size() + " latency spikes (average "), doctor);
            assertEquals(1L, first.call("LATENCY", "RESET", "command", "nosuch", "command"));
            assertEquals(List.of(), first.call("LATENCY", "LATEST"));
            assertEquals(error("ERR No samples available for event 'command'"), first.call("LATENCY", "GRAPH", "command"));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /**
     * LATENCY GRAPH's drawing: one sample 0 s ago as redis-server drew it; three samples (10, 100 and 55 ms;
     * 71, 70 and 1 s ago) as Redis's sparkline computes them (12 steps over 4 rows of {@code _ o #}, {@code |}
     * below the top, labels 1m 1m 1s written downwards).
     */
    @Test
    void graphOfOneSampleIsRedisS() {
        LatencyMonitor.Series s = new LatencyMonitor.Series();
        s.add(1000, 100);
        assertEquals("command - high 100 ms, low 100 ms (all time high 100 ms)\n" + "-".repeat(80) + "\n \n \n \n_\n \n0\ns\n",
                LatencyCommands.graph("command", s, 1000));
        LatencyMonitor.Series three = new LatencyMonitor.Series();
        three.add(1000, 10);
        three.add(1001, 100);
        three.add(1070, 55);
        assertEquals("e - high 100 ms, low 10 ms (all time high 100 ms)\n" + "-".repeat(80) + "\n"
                        + " # \n" + " |_\n" + " ||\n" + "_||\n" + "   \n" + "111\n" + "mms\n",
                LatencyCommands.graph("e", three, 1071));
    }

    /** hdr_value_at_percentile as Redis's bundled C library computes it (a count rounded half up, at least 1). */
    @Test
    void percentilesAsRedisComputesThem() {
        Histogram h = new Histogram(LatencyMonitor.HISTOGRAM_MIN, LatencyMonitor.HISTOGRAM_MAX, LatencyMonitor.HISTOGRAM_DIGITS);
        h.recordValue(26_000);
        assertEquals(26_111, LatencyCommands.valueAtPercentile(h, 50));  // redis-server answered p50=26.111 for one 26 µs SET
        assertEquals(25_984, LatencyCommands.valueAtPercentile(h, 0));   // and p0=25.984
        h.recordValue(7_000);
        assertEquals(7_007, LatencyCommands.valueAtPercentile(h, 50));   // count 1 of 2 (rounded half up)
        assertEquals(26_111, LatencyCommands.valueAtPercentile(h, 99.9));
    }

    private static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }
}
