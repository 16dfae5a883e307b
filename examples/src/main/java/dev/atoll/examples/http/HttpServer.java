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
 * ({@link HttpConnection}); size limits, timeouts and the connection cap come from {@code http { }}
 * ({@link HttpSettings}).
 */
public final class HttpServer {
    /** The port when neither {@code --port} nor {@code http.port} says otherwise. */
    public static final int DEFAULT_PORT = 8080;

    private HttpServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("http", DEFAULT_PORT, args);
        HttpSettings http;
        try {
            http = HttpSettings.from(settings.config().reader());
        } catch (InvalidConfigException e) {
            System.err.println("http: " + e.getMessage());
            System.exit(2);
            return;
        }
        ServerLifecycle.serve(settings, handler(http));
    }

    /**
     * What the server does with each accepted connection: close it at once beyond the shard's
     * connection cap, else receive, parse and answer, within the limits and timeouts of {@code settings}.
     */
    public static ConnectionHandler handler(HttpSettings settings) {
        // One date cache, one JSON scratch and one connection list per shard: shard-local, so never
        // shared between threads.
        ShardLocal<HelloEndpoints> endpoints = ShardLocal.of(shard -> new HelloEndpoints(new HttpDate()));
        ShardLocal<HttpConnections> connections = ShardLocal.of(shard -> new HttpConnections(shard, settings));
        return connection -> {
            HttpConnections open = connections.get();
            if (!open.admit()) {
                connection.close();
                return;
            }
            HttpConnection http = new HttpConnection(connection, settings.limits(), endpoints.get(), open);
            connection.receive(http);
            open.add(http);
        };
    }
}
