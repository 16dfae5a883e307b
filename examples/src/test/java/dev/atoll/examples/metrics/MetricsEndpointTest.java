package dev.atoll.examples.metrics;

import dev.atoll.config.AtollConfig;
import dev.atoll.examples.ServerProcess;
import dev.atoll.examples.http.HttpServer;
import dev.atoll.examples.kv.KvServer;
import dev.atoll.io.IoMetrics;
import dev.atoll.shards.Metric;
import dev.atoll.shards.PrometheusText;
import dev.atoll.shards.ShardMetrics;
import dev.atoll.shards.ShardRuntime;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus endpoint of the server examples ({@code --metrics-port}): the kv and http examples,
 * started as {@code ./atoll run} starts them, answer a scrape over loopback with text that a strict
 * parser of the exposition format accepts, with every shard's figures.
 */
class MetricsEndpointTest {
    private static final int SHARDS = 2;

    @Test
    void kvAnswersAScrapeWithEveryShardsFigures() throws Exception {
        try (ServerProcess kv = ServerProcess.start("", List.of(), KvServer.class, "--port", "0", "--shards",
                String.valueOf(SHARDS), "--appendonly", "no", "--metrics-port", "0")) {
            int metricsPort = metricsPort(kv);
            try (Socket client = new Socket("127.0.0.1", kv.port())) {
                for (int i = 0; i < 100; i++) {
                    assertEquals("+PONG", ping(client));
                }
                Map<String, String> types = new HashMap<>();
                HttpResponse<String> scrape = get(metricsPort, "/metrics");
                assertEquals(200, scrape.statusCode());
                assertEquals(PrometheusText.CONTENT_TYPE, scrape.headers().firstValue("Content-Type").orElseThrow());
                Map<String, PrometheusTextFormat.Sample> samples = PrometheusTextFormat.parse(scrape.body(), types);
                assertEquals("counter", types.get("atoll_shard_loop_iterations_total"));
                assertEquals("gauge", types.get("atoll_io_connections_open"));
                for (int shard = 0; shard < SHARDS; shard++) {
                    assertTrue(value(samples, "atoll_shard_loop_iterations_total", shard) > 0, "shard " + shard + " looped");
                }
                // The kv client and the scrape itself are open while the scrape is written.
                double open = value(samples, "atoll_io_connections_open", 0) + value(samples, "atoll_io_connections_open", 1);
                assertTrue(open >= 2, "open connections " + open);
                double completions = value(samples, "atoll_shard_io_completions_total", 0)
                        + value(samples, "atoll_shard_io_completions_total", 1);
                assertTrue(completions >= 100, "completions " + completions);
            }
        }
    }

    @Test
    void httpExampleServesMetricsAndRefusesOtherPaths() throws Exception {
        try (ServerProcess http = ServerProcess.start("", List.of(), HttpServer.class, "--port", "0", "--shards",
                String.valueOf(SHARDS), "--metrics-port", "0")) {
            int metricsPort = metricsPort(http);
            Map<String, String> types = new HashMap<>();
            PrometheusTextFormat.parse(get(metricsPort, "/metrics").body(), types);
            assertEquals("gauge", types.get("atoll_shard_mesh_inbound_waiting"));
            assertEquals(404, get(metricsPort, "/other").statusCode());
            assertEquals(200, get(http.port(), "/plaintext").statusCode(), "the example itself still answers");
        }
    }

    @Test
    void theTextOfAnIdleRuntimeParsesWithOneSamplePerShard() {
        AtollConfig config = AtollConfig.parse("atoll.shards.count = " + SHARDS, "test");
        try (ShardRuntime runtime = ShardRuntime.start(config)) {
            List<Metric> metrics = new ArrayList<>(ShardMetrics.of(runtime));
            metrics.addAll(IoMetrics.of(runtime));
            Map<String, String> types = new HashMap<>();
            Map<String, PrometheusTextFormat.Sample> samples =
                    PrometheusTextFormat.parse(PrometheusText.write(metrics, SHARDS, new StringBuilder()).toString(), types);
            assertEquals(metrics.size(), types.size());
            assertEquals(metrics.size() * SHARDS, samples.size());
        }
    }

    @Test
    void theFormatCheckRefusesWhatPrometheusRefuses() {
        Map<String, String> types = new HashMap<>();
        String good = "# HELP a_total x\n# TYPE a_total counter\na_total{shard=\"0\"} 1\n";
        PrometheusTextFormat.parse(good, types);
        for (String bad : List.of(
                "a 1",                                                  // no final line feed
                "a{shard=\"0\"} 1\na{shard=\"0\"} 2\n",                 // the same series twice
                "a 1\n# TYPE a gauge\n",                                // TYPE after samples
                "a 1\nb 1\na 2\n",                                      // a family split
                "a{shard=\"0\",shard=\"1\"} 1\n",                       // a label twice
                "a{shard=\"\\x\"} 1\n",                                 // a bad escape
                "a{0shard=\"0\"} 1\n",                                  // a bad label name
                "a one\n",                                              // not a float
                "# TYPE a bogus\n",                                     // an unknown type
                "# HELP a x\n# HELP a y\n")) {                          // HELP twice
            assertThrows(IllegalArgumentException.class, () -> PrometheusTextFormat.parse(bad, new HashMap<>()), bad);
        }
    }

    private static int metricsPort(ServerProcess server) throws InterruptedException {
        String line = server.awaitLine(l -> l.contains("metrics at http://"), 30);
        assertNotNull(line, () -> "no metrics line; output:\n" + server.output());
        return Integer.parseInt(line.replaceAll(".*:(\\d+)/metrics.*", "$1"));
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    private static double value(Map<String, PrometheusTextFormat.Sample> samples, String name, int shard) {
        PrometheusTextFormat.Sample sample = samples.get(name + Map.of("shard", String.valueOf(shard)));
        assertNotNull(sample, () -> name + " of shard " + shard + " in " + samples.keySet());
        return sample.value();
    }

    private static String ping(Socket client) throws Exception {
        OutputStream out = client.getOutputStream();
        out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = client.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new java.io.EOFException("the server closed the connection");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
