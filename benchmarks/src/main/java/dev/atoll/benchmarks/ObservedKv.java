package dev.atoll.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The observed twin of {@code ./atoll bench kv}'s unplaced Atoll server, for the cost of observability:
 * the same server with a JFR recording running from its start ({@code settings=default}, so Atoll's
 * events are on with their default thresholds) and its Prometheus endpoint on ({@code --metrics-port}),
 * scraped every {@value #SCRAPE_MILLIS} ms over loopback while the load runs (Prometheus's default is
 * every 15 s: this is the harder case).
 */
final class ObservedKv implements AutoCloseable {
    static final long SCRAPE_MILLIS = 1000;

    private final int metricsPort;
    private final Thread scraper;
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;

    private ObservedKv(int metricsPort) {
        this.metricsPort = metricsPort;
        this.scraper = Thread.ofPlatform().daemon().name("kv-metrics-scraper").unstarted(this::scrapeUntilClosed);
    }

    /** A free loopback port for the endpoint (bound then released: the server binds it next). */
    static ObservedKv withFreePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new ObservedKv(socket.getLocalPort());
        }
    }

    /** The JVM flag of the recording, written to {@code dir}. */
    static List<String> jvmFlags(Path dir) {
        return List.of("-XX:StartFlightRecording=filename=" + dir.resolve("kv.jfr") + ",settings=default");
    }

    /** The server's options that turn the endpoint on. */
    List<String> serverArgs() {
        return List.of("--metrics-port", Integer.toString(metricsPort));
    }

    /** Starts scraping (the server is ready). */
    void start() {
        scraper.start();
    }

    /** What the scraper did, for the report. */
    String describe() {
        return scrapes.get() + " scrapes, " + failures.get() + " failed";
    }

    long failures() {
        return failures.get();
    }

    private void scrapeUntilClosed() {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build();
            while (running) {
                try {
                    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                    (response.statusCode() == 200 ? scrapes : failures).incrementAndGet();
                } catch (IOException e) {
                    failures.incrementAndGet();
                }
                Thread.sleep(SCRAPE_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        scraper.interrupt();
        scraper.join();
    }
}
