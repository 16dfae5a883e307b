package dev.atoll.examples.http;

import dev.atoll.config.ConfigReader;

import java.time.Duration;

/**
 * The http example's settings, from its own {@code http { }} section (defaults in the examples'
 * {@code reference.conf}): the parser's size limits, the timeouts that end a connection that makes
 * no progress, and the cap on open connections per shard. The timeouts and the cap are nginx's.
 *
 * @param limits                 the request parser's size limits
 * @param headerTimeout          from a request's first byte (for a new connection: from its accept)
 *                               to the end of its head: {@code client_header_timeout}
 * @param bodyTimeout            between two reads of a request body: {@code client_body_timeout}
 * @param keepAliveTimeout       from the end of a request to the first byte of the next:
 *                               {@code keepalive_timeout}
 * @param maxConnectionsPerShard open connections per shard; one more is closed at once:
 *                               {@code worker_connections}
 */
public record HttpSettings(HttpLimits limits, Duration headerTimeout, Duration bodyTimeout, Duration keepAliveTimeout,
                           int maxConnectionsPerShard) {

    private static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    private static final int MAX_CONNECTIONS = 1_000_000;

    /** What the examples' {@code reference.conf} sets: {@link HttpLimits#DEFAULTS}, 60 s, 60 s, 75 s, 10000. */
    public static final HttpSettings DEFAULTS = new HttpSettings(HttpLimits.DEFAULTS, Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(75), 10_000);

    public HttpSettings {
        for (Duration timeout : new Duration[] {headerTimeout, bodyTimeout, keepAliveTimeout}) {
            if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("a timeout from " + MIN_TIMEOUT + " to " + MAX_TIMEOUT + ": " + timeout);
            }
        }
        if (maxConnectionsPerShard < 1 || maxConnectionsPerShard > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connections per shard from 1 to " + MAX_CONNECTIONS + ": "
                    + maxConnectionsPerShard);
        }
    }

    /** These settings with another connection cap. */
    public HttpSettings withCap(int connectionsPerShard) {
        return new HttpSettings(limits, headerTimeout, bodyTimeout, keepAliveTimeout, connectionsPerShard);
    }

    /** These settings with other size limits. */
    public HttpSettings withLimits(HttpLimits other) {
        return new HttpSettings(other, headerTimeout, bodyTimeout, keepAliveTimeout, maxConnectionsPerShard);
    }

    /**
     * Reads {@link HttpLimits#from the limits}, {@code http.header-timeout}, {@code http.body-timeout},
     * {@code http.keep-alive-timeout} and {@code http.max-connections-per-shard}.
     */
    public static HttpSettings from(ConfigReader reader) {
        return new HttpSettings(HttpLimits.from(reader),
                reader.duration("http.header-timeout", MIN_TIMEOUT, MAX_TIMEOUT),
                reader.duration("http.body-timeout", MIN_TIMEOUT, MAX_TIMEOUT),
                reader.duration("http.keep-alive-timeout", MIN_TIMEOUT, MAX_TIMEOUT),
                reader.intIn("http.max-connections-per-shard", 1, MAX_CONNECTIONS));
    }
}
