package dev.atoll.examples.http;

import dev.atoll.config.InvalidConfigException;
import dev.atoll.examples.ServerLifecycle;
import dev.atoll.examples.ServerOptions;
import dev.atoll.examples.ServerSettings;
import dev.atoll.io.ConnectionHandler;
import dev.atoll.shards.ShardLocal;

/**
 * {@code ./atoll run http}: an HTTP/1.1 server with keep-alive and pipelining that answers the
 * TechEmpower endpoints {@code /plaintext} and {@code /json} ({@link HelloEndpoints}). Each
 * connection parses what arrives and answers all the requests of one read with one write
 * ({@link HttpConnection}); size limits come from {@code http { }} ({@link HttpLimits}).
 */
public final class HttpServer {
    /** The port when neither {@code --port} nor {@code http.port} says otherwise. */
    public static final int DEFAULT_PORT = 8080;

    private HttpServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("http", DEFAULT_PORT, args);
        HttpLimits limits;
        try {
            limits = HttpLimits.from(settings.config().reader());
        } catch (InvalidConfigException e) {
            System.err.println("http: " + e.getMessage());
            System.exit(2);
            return;
        }
        ServerLifecycle.serve(settings, handler(limits));
    }

    /** What the server does with each accepted connection: receive, parse, answer, within {@code limits}. */
    public static ConnectionHandler handler(HttpLimits limits) {
        // One date cache and one JSON scratch per shard: shard-local, so never shared between threads.
        ShardLocal<HelloEndpoints> endpoints = ShardLocal.of(shard -> new HelloEndpoints(new HttpDate()));
        return connection -> connection.receive(new HttpConnection(connection, limits, endpoints.get()));
    }
}
