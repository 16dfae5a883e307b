package dev.atoll.examples.metrics;

import dev.atoll.examples.ServerSettings;
import dev.atoll.examples.http.HttpDate;
import dev.atoll.examples.http.HttpResponseWriter;
import dev.atoll.io.ConnectionHandler;
import dev.atoll.io.IoMetrics;
import dev.atoll.io.TcpServer;
import dev.atoll.shards.Metric;
import dev.atoll.shards.ShardLocal;
import dev.atoll.shards.ShardMetrics;
import dev.atoll.shards.ShardRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Prometheus endpoint of the server examples ({@code --metrics-port P}, key {@code metrics.port}):
 * {@code GET /metrics} on a second port, served by a {@link TcpServer} on the same shards with the
 * http example's parser and response writer. A scrape runs on whichever shard accepted it and reads
 * every shard's figures from what those shards published ({@link Metric}: opaque loads, no lock, no
 * message to them), so it never blocks or waits for a shard.
 */
public final class MetricsEndpoint {
    /** The configuration key of the port; -1 (the default) = no endpoint, 0 = an ephemeral port. */
    public static final String PORT_KEY = "metrics.port";
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private MetricsEndpoint() {
    }

    /**
     * Starts the endpoint when {@code metrics.port} is set (0 or above) on {@code settings}' host, with
     * the shard and io figures plus {@code extra}; completes with null when it is not set.
     */
    public static CompletableFuture<TcpServer> startIfConfigured(ServerSettings settings, ShardRuntime runtime,
                                                                 List<Metric> extra) {
        int port = settings.config().reader().intIn(PORT_KEY, -1, 65535);
        if (port < 0) {
            return CompletableFuture.completedFuture(null);
        }
        return start(runtime, new InetSocketAddress(settings.host(), port), extra).thenApply(server -> {
            log.info("metrics: http://{}:{}/metrics", settings.host(), server.port());
            System.err.println(settings.example() + ": metrics at http://" + settings.host() + ":" + server.port()
                    + "/metrics");
            return server;
        });
    }

    /** Starts the endpoint on {@code address}: the figures of {@link ShardMetrics}, {@link IoMetrics} and {@code extra}. */
    public static CompletableFuture<TcpServer> start(ShardRuntime runtime, InetSocketAddress address, List<Metric> extra) {
        List<Metric> metrics = new ArrayList<>(ShardMetrics.of(runtime));
        metrics.addAll(IoMetrics.of(runtime));
        metrics.addAll(extra);
        return TcpServer.start(runtime, address, handler(List.copyOf(metrics), runtime.shardCount()));
    }

    /** Answers each connection's {@code GET /metrics} with the Prometheus text of {@code metrics}, then closes it. */
    public static ConnectionHandler handler(List<Metric> metrics, int shards) {
        ShardLocal<HttpResponseWriter> writers = ShardLocal.of(shard -> new HttpResponseWriter("atoll", new HttpDate()));
        return connection -> connection.receive(new MetricsConnection(connection, writers.get(), metrics, shards));
    }
}
