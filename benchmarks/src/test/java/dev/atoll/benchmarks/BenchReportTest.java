package dev.atoll.benchmarks;

import dev.atoll.benchmarks.BenchReport.Better;
import dev.atoll.benchmarks.BenchReport.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest {
    private static final Environment MACHINE = new Environment("25.0.3", "6.18.44", 2);
    private static final Machine BOX = new Machine("AMD EPYC 7B13", 2, "23.5 GiB", "6.18.44", "Debian GNU/Linux 12 (bookworm)",
            "Eclipse Adoptium 25.0.3+9-LTS", "1.50 2.00 3.00");
    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 4, 18, 15, 2, 0, ZoneOffset.UTC);

    /** The example of the contract, built through the API. */
    private static BenchReport contractExample() {
        BenchReport report = new BenchReport("http", "./atoll bench http", MACHINE)
                .setting("connections", 64).setting("duration_s", 10).setting("shards", 2).setting("peer_threads", 2)
                .result("plaintext requests/s", "atoll-io_uring", 123456.0, "req/s", Better.HIGHER)
                .result("plaintext p99", "netty-io_uring", 1.9, "ms", Better.LOWER);
        report.ratioHigherIsBetter("atoll/netty-io_uring plaintext requests/s", 112.0, 100.0, 1.3);
        return report;
    }

    @Test
    void jsonIsLaidOutAsTheContractShowsIt() {
        assertEquals("""
                {
                  "bench": "http",
                  "command": "./atoll bench http",
                  "jdk": "25.0.3", "kernel": "6.18.44", "cpus": 2,
                  "settings": { "connections": 64, "duration_s": 10, "shards": 2, "peer_threads": 2 },
                  "results": [
                    { "name": "plaintext requests/s", "impl": "atoll-io_uring", "value": 123456.0, "unit": "req/s", "better": "higher" },
                    { "name": "plaintext p99", "impl": "netty-io_uring", "value": 1.9, "unit": "ms", "better": "lower" }
                  ],
                  "ratios": [
                    { "name": "atoll/netty-io_uring plaintext requests/s", "value": 1.12, "goal": 1.3, "met": false }
                  ]
                }
                """, contractExample().toJson());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonReadsBackWithEveryField() {
        Map<String, Object> json = (Map<String, Object>) Json.parse(contractExample().toJson());
        assertEquals(List.of("bench", "command", "jdk", "kernel", "cpus", "settings", "results", "ratios"),
                List.copyOf(json.keySet()));
        assertEquals(2.0, json.get("cpus"));
        assertEquals(List.of("connections", "duration_s", "shards", "peer_threads"),
                List.copyOf(((Map<String, Object>) json.get("settings")).keySet()));
        Map<String, Object> p99 = ((List<Map<String, Object>>) json.get("results")).get(1);
        assertEquals(Map.of("name", "plaintext p99", "impl", "netty-io_uring", "value", 1.9, "unit", "ms", "better", "lower"), p99);
        Map<String, Object> ratio = ((List<Map<String, Object>>) json.get("ratios")).getFirst();
        assertEquals(false, ratio.get("met"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void stringsAreEscaped() {
        String nasty = "quote \" backslash \\ newline \n tab \t cr \r bell \u0007 nul \u0000 unicode é ✓";
        BenchReport report = new BenchReport(nasty, "./atoll bench \"x\"", new Environment("25", "k\\1", 1))
                .setting(nasty, nasty).setting("flag", true).setting("ratio", 0.5);
        String json = report.toJson();
        assertTrue(json.contains("\\\" backslash \\\\ newline \\n tab \\t cr \\r bell \\u0007 nul \\u0000 unicode é ✓"), json);
        Map<String, Object> read = (Map<String, Object>) Json.parse(json);
        assertEquals(nasty, read.get("bench"));
        assertEquals("./atoll bench \"x\"", read.get("command"));
        assertEquals("k\\1", read.get("kernel"));
        assertEquals(Map.of(nasty, nasty, "flag", true, "ratio", 0.5), read.get("settings"));
    }

    @Test
    void numbersKeepTheirPrecisionAndNonFiniteBecomesNull() {
        assertEquals("0.1", BenchReport.number(0.1));
        assertEquals("1.2345678901234567E8", BenchReport.number(123456789.01234567));
        assertEquals(123456789.01234567, (Double) Json.parse(BenchReport.number(123456789.01234567)));
        assertEquals("1.0E-7", BenchReport.number(1e-7));
        assertEquals("null", BenchReport.number(Double.POSITIVE_INFINITY));
        assertEquals("null", BenchReport.number(Double.NaN));
    }

    @Test
    void ratiosAreOrientedSoAboveOneMeansAtollIsBetter() {
        BenchReport report = new BenchReport("b", "c", MACHINE);
        BenchReport.Ratio throughput = report.ratioHigherIsBetter("rps", 200.0, 100.0, 1.5);
        assertEquals(2.0, throughput.value());
        assertTrue(throughput.met());
        BenchReport.Ratio latency = report.ratioLowerIsBetter("p99", 2.0, 1.0, 1.0);
        assertEquals(0.5, latency.value(), "Atoll twice as slow: peer / Atoll");
        assertFalse(latency.met());
        BenchReport.Ratio exact = report.ratioLowerIsBetter("p50", 1.0, 1.3, 1.3);
        assertTrue(exact.met(), "reaching the goal exactly meets it");
        BenchReport.Ratio broken = report.ratioHigherIsBetter("zero peer", 1.0, 0.0, 1.0);
        assertFalse(broken.met());
        assertTrue(report.toJson().contains("{ \"name\": \"zero peer\", \"value\": null, \"goal\": 1.0, \"met\": false }"));
    }

    @Test
    void aPairedRatioIsTheMedianOfTheRoundsOwnRatios() {
        BenchReport report = new BenchReport("b", "c", MACHINE);
        // Rounds 1 and 3 ran on a disturbed machine, for both servers: each round Atoll is 10 % ahead, yet the median
        // of its rounds (60) is under the peer's (80).
        double[] atoll = {55, 110, 60};
        double[] peer = {50, 100, 80};
        assertEquals(55.0 / 50, report.pairedRatio("rps", atoll, peer, BenchReport.Better.HIGHER, 1.0).value(), 1e-12);
        assertTrue(report.ratioHigherIsBetter("rps of medians", BenchReport.median(atoll), BenchReport.median(peer), 1.0)
                .value() < 1, "the ratio of the medians mixes rounds");
        BenchReport.Ratio latency = report.pairedRatio("p99", new double[] {2, 1, 4}, new double[] {1, 3, 5},
                BenchReport.Better.LOWER, 1.0);
        assertEquals(1.25, latency.value(), 1e-12, "peer / Atoll per round: 0.5, 3, 1.25");
        assertThrows(IllegalArgumentException.class,
                () -> report.pairedRatio("uneven", new double[] {1, 2}, new double[] {1}, BenchReport.Better.HIGHER, 1.0));
    }

    @Test
    void aRatioWithoutAGoalIsNeitherMetNorMissed() {
        BenchReport report = new BenchReport("b", "c", MACHINE);
        BenchReport.Ratio shown = report.ratioHigherIsBetter("per core rps", 0.5, 1.0, Double.NaN);
        assertFalse(shown.hasGoal());
        assertTrue(report.toJson().contains("{ \"name\": \"per core rps\", \"value\": 0.5, \"goal\": null, \"met\": null }"),
                report.toJson());
        assertFalse(report.toTable().contains("missed"), report.toTable());
        Json.parse(report.toJson());
        assertTrue(report.ratioHigherIsBetter("rps", 0.5, 1.0, 1.0).hasGoal());
        assertTrue(report.toTable().contains("missed"));
    }

    @Test
    void emptySectionsAreValidJson() {
        String json = new BenchReport("empty", "./atoll bench empty", MACHINE).toJson();
        assertTrue(json.contains("\"settings\": {},\n  \"results\": [],\n  \"ratios\": []\n}"), json);
        Json.parse(json);
    }

    @Test
    void settingsAreNumbersStringsOrBooleans() {
        BenchReport report = new BenchReport("b", "c", MACHINE);
        assertThrows(IllegalArgumentException.class, () -> report.setting("list", List.of(1)));
    }

    @Test
    void tableHoldsTheSameFiguresInOrder() {
        String table = contractExample().toTable();
        assertEquals("""
                http (./atoll bench http)
                jdk 25.0.3, kernel 6.18.44, 2 cpus

                settings
                  connections   64
                  duration_s    10
                  shards        2
                  peer_threads  2

                results
                  name                  impl            value     unit   better
                  plaintext requests/s  atoll-io_uring  123456.0  req/s  higher
                  plaintext p99         netty-io_uring  1.9       ms     lower

                ratios (above 1 = Atoll better)
                  name                                       value  goal
                  atoll/netty-io_uring plaintext requests/s  1.12   1.3   missed
                """, table);
    }

    @Test
    void publishWritesTheJsonFileWhenAsked(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/results.json");
        BenchArgs args = BenchArgs.parse("http", "--quick", "--json", file.toString());
        BenchReport report = contractExample();
        var terminal = new ByteArrayOutputStream();
        report.publish(args, new PrintStream(terminal, true, StandardCharsets.UTF_8), Optional.empty(), NOW);
        assertEquals(report.toJson(), Files.readString(file));
        assertEquals(report.toTable(), terminal.toString(StandardCharsets.UTF_8));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("out")), files.toList(), "no results directory given: nothing else written");
        }
    }

    @Test
    void aRunKeepsItsRawJsonInTheResultsDirectoryNamedAfterBenchAndTime(@TempDir Path dir) throws Exception {
        BenchReport report = contractExample().machine(BOX);
        var terminal = new ByteArrayOutputStream();
        report.publish(BenchArgs.parse("http"), new PrintStream(terminal, true, StandardCharsets.UTF_8),
                Optional.of(dir.resolve("docs/results")), NOW);
        Path kept = dir.resolve("docs/results/http-20261204-181502.json");
        assertEquals(report.toJson(), Files.readString(kept));
        assertTrue(terminal.toString(StandardCharsets.UTF_8).endsWith("raw results kept in " + kept + "\n"));
    }

    @Test
    void theResultsDirectoryIsDocsResultsOfTheCheckoutAboveTheClasses(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("repo/benchmarks/target/classes"));
        assertEquals(Optional.empty(), BenchReport.resultsDirectoryAbove(classes));
        Files.createDirectories(dir.resolve("repo/docs"));
        Files.writeString(dir.resolve("repo/atoll"), "#!/bin/sh\n");
        assertEquals(Optional.of(dir.resolve("repo/docs/results")), BenchReport.resultsDirectoryAbove(classes));
        // the harness's own classes sit in this checkout
        assertTrue(BenchReport.resultsDirectory().orElseThrow().endsWith(Path.of("docs", "results")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMachineAndThePeerChecksGoIntoTheJsonAndTheTable() {
        BenchReport report = contractExample().machine(BOX);
        report.check(new PeerCheck("plaintext requests/s", "netty", "nio-reference", 90.0, 100.0, Better.HIGHER, 0.6, "why"));
        report.check(new PeerCheck("plaintext requests/s", "nginx", "nio-reference", 50.0, 100.0, Better.HIGHER, 0.6, "why"));
        Map<String, Object> json = (Map<String, Object>) Json.parse(report.toJson());
        assertEquals(List.of("bench", "command", "jdk", "kernel", "cpus", "machine", "settings", "results", "ratios", "checks"),
                List.copyOf(json.keySet()));
        assertEquals(Map.of("cpu_model", "AMD EPYC 7B13", "online_cpus", 2.0, "memory", "23.5 GiB", "kernel", "6.18.44",
                "os", "Debian GNU/Linux 12 (bookworm)", "jdk", "Eclipse Adoptium 25.0.3+9-LTS", "loadavg_before", "1.50 2.00 3.00"),
                json.get("machine"));
        List<Map<String, Object>> checks = (List<Map<String, Object>>) json.get("checks");
        assertEquals(true, checks.get(0).get("passed"));
        assertEquals(0.9, checks.get(0).get("ratio"));
        assertEquals(false, checks.get(1).get("passed"));
        assertEquals(List.of("nginx"), report.failedChecks().stream().map(PeerCheck::peer).toList());
        String table = report.toTable();
        assertTrue(table.contains("AMD EPYC 7B13, 2 online CPUs, 23.5 GiB, Debian GNU/Linux 12 (bookworm),"
                + " Eclipse Adoptium 25.0.3+9-LTS; load average before the run 1.50 2.00 3.00"), table);
        assertTrue(table.contains("  netty  nio-reference  plaintext requests/s  0.900  0.6      passed"), table);
        assertTrue(table.contains("  nginx  nio-reference  plaintext requests/s  0.500  0.6      FAILED"), table);
    }
}
