package dev.atoll.benchmarks;

import dev.atoll.benchmarks.Contenders.Contender;
import dev.atoll.benchmarks.Contenders.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bookkeeping of a comparison, with a load that returns made-up figures: no server is loaded. */
class RoundsTest {
    private final List<ServerProcess> processes = new ArrayList<>();

    private Contender contender(String impl, Role role) throws Exception {
        ServerProcess idle = ServerProcess.start(impl, List.of("sh", "-c", "echo READY; exec sleep 60"),
                line -> line.equals("READY") ? Map.of("example", impl, "host", "127.0.0.1", "port", "1", "driver", "none",
                        "shards", "2") : null);
        processes.add(idle);
        return new Contender(impl, role, idle, impl + " as configured", impl + " because");
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (ServerProcess process : processes) {
            process.close();
        }
    }

    /** Requests/s of each server in each test, the same every round but for the rotation. */
    private static double rate(String test, String impl) {
        return switch (impl) {
            case "atoll" -> 200;
            case "netty" -> test.equals("plaintext pipelined") ? 20 : 80;   // far below the reference pipelined
            case "nginx" -> 70;
            default -> 100;                                                 // nio-reference
        };
    }

    @Test
    void reportsMediansRatiosAgainstEachPeerAndChecksEachPeerWhereItTakesPart() throws Exception {
        Contenders servers = new Contenders(List.of(contender("atoll", Role.ATOLL), contender("netty", Role.PEER),
                contender("nginx", Role.PEER), contender("nio-reference", Role.REFERENCE)), 2);
        List<String> visited = new ArrayList<>();
        Rounds<HttpBench.Test> rounds = Rounds.measure(HttpBench.TESTS, servers, new Rounds.Units("requests/s", "req/s", "ms", "request"),
                (test, server, seconds) -> {
                    visited.add(test.name() + "|" + server.impl() + "|" + seconds);
                    return new Rounds.Run(rate(test.name(), server.impl()), 2.0, Math.round(rate(test.name(), server.impl())),
                            server.impl().equals("nginx") && seconds > 0.001 ? "3 non-2xx responses" : "", "");
                }, 0.001, 0.002, 3);

        assertEquals(11, visited.stream().filter(v -> v.endsWith("|0.001")).count(), "warm-up: 4 + 3 + 4 servers");
        assertEquals(33, visited.stream().filter(v -> v.endsWith("|0.002")).count(), "3 rounds of the same");
        assertTrue(visited.stream().noneMatch(v -> v.startsWith("json|nginx")), "nginx serves /plaintext only");
        assertEquals(List.of("nginx in plaintext: 3 non-2xx responses", "nginx in plaintext pipelined: 3 non-2xx responses"),
                rounds.problems().stream().distinct().toList());

        BenchReport report = new BenchReport("http", "./atoll bench http", new BenchReport.Environment("25", "6", 2));
        rounds.report(report);
        String json = report.toJson();
        assertTrue(json.contains("{ \"name\": \"plaintext requests/s\", \"impl\": \"netty\", \"value\": 80.0, \"unit\": \"req/s\","
                + " \"better\": \"higher\" }"), json);
        assertTrue(json.contains("{ \"name\": \"plaintext CPU per request\", \"impl\": \"atoll\""), json);
        assertTrue(json.contains("{ \"name\": \"atoll/netty plaintext pipelined requests/s\", \"value\": 10.0, \"goal\": 1.3,"
                + " \"met\": true }"), json);
        assertTrue(json.contains("{ \"name\": \"atoll/nginx plaintext requests/s\", \"value\": 2.857142857142857, \"goal\": 1.0,"), json);
        assertTrue(!json.contains("atoll/nginx json"), json);

        Json.parse(json);
        List<String> failedRates = report.failedChecks().stream().filter(c -> c.name().endsWith("requests/s"))
                .map(c -> c.peer() + " " + c.name()).toList();
        assertEquals(List.of("netty plaintext pipelined requests/s"), failedRates,
                "netty at 0.2 of the reference pipelined is under its 0.25; nginx at 0.7 passes 0.5 and 0.05");
        assertEquals(5, report.failedChecks().stream().filter(c -> c.name().endsWith("CPU per request")).count(),
                "these idle processes use no CPU time: a check without figures fails");
        assertEquals(10, json.split("\"reference\": \"nio-reference\"").length - 1,
                "requests/s and CPU per request: netty in 3 tests, nginx in 2");
    }

    @Test
    void aComparisonWithoutGoalsShowsItsRatiosAndStillChecksItsPeers() throws Exception {
        Contenders servers = new Contenders(List.of(contender("atoll", Role.ATOLL), contender("netty", Role.PEER),
                contender("nio-reference", Role.REFERENCE)), 1);
        Rounds<HttpBench.Test> rounds = Rounds.measure(HttpBench.TESTS, servers, new Rounds.Units("requests/s", "req/s", "ms", "request"),
                (test, server, seconds) -> new Rounds.Run(rate(test.name(), server.impl()), 2.0, 100, "", ""), 0.001, 0.002, 1);
        BenchReport report = new BenchReport("http", "./atoll bench http", new BenchReport.Environment("25", "6", 2));
        rounds.report(report, false);
        String json = report.toJson();
        assertTrue(json.contains("{ \"name\": \"atoll/netty plaintext pipelined requests/s\", \"value\": 10.0, \"goal\": null,"
                + " \"met\": null }"), json);
        assertTrue(json.contains("\"name\": \"atoll/netty json p99 (netty p99 / atoll p99)\", \"value\": 1.0, \"goal\": null"), json);
        assertEquals(List.of("netty plaintext pipelined requests/s"), report.failedChecks().stream()
                .filter(c -> c.name().endsWith("requests/s")).map(c -> c.peer() + " " + c.name()).toList(),
                "the peer checks count without goals");
    }

    @Test
    void everyServersConfigurationAndItsSourceArePrintedAndKept() throws Exception {
        Contenders servers = new Contenders(List.of(contender("atoll", Role.ATOLL), contender("netty", Role.PEER)), 2);
        BenchReport report = new BenchReport("http", "./atoll bench http", new BenchReport.Environment("25", "6", 2));
        Rounds.describe(servers, report);
        assertEquals("""
                  config atoll  atoll as configured
                  why atoll     atoll because
                  config netty  netty as configured
                  why netty     netty because
                """, report.settingsTable());
    }

    @Test
    void thePeersConfigurationsNameWhatASkepticChecksAndWhereItComesFrom() {
        String netty = Contenders.nettyConfiguration("http", "io_uring", 2, Placement.unplaced());
        for (String part : List.of("Netty 4.2.18.Final", "io_uring transport", "2 event loops", "HttpServerCodec",
                "HttpServerKeepAliveHandler", "DefaultFullHttpResponse", "channelReadComplete", "-XX:+UseParallelGC")) {
            assertTrue(netty.contains(part), part + " missing from " + netty);
        }
        assertTrue(Contenders.NETTY_WHY.contains("TechEmpower") && Contenders.NETTY_WHY.contains("run_netty.sh"));
        String nginx = Contenders.nginxConfiguration("nginx/1.22.1", 2, Placement.unplaced());
        for (String part : List.of("nginx/1.22.1", "nginx-light", "2 worker processes", "not pinned", "return 200",
                "access_log off")) {
            assertTrue(nginx.contains(part), part + " missing from " + nginx);
        }
        assertTrue(Contenders.NGINX_WHY.contains("TechEmpower's nginx entry"));
    }
}
