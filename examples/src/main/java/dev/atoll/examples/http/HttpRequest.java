package dev.atoll.examples.http;

/**
 * What the parser learned of one complete request: method, route, version and whether the
 * connection stays open after the response. One instance per parser, reused for every request:
 * valid only during {@link HttpRequestParser.Listener#onRequest}.
 */
public final class HttpRequest {

    /** The methods the example tells apart; any other valid method is {@link #OTHER}. */
    public enum Method { GET, HEAD, OTHER }

    private Method method = Method.OTHER;
    private int route = -1;
    private boolean http10;
    private boolean keepAlive;

    void set(Method method, int route, boolean http10, boolean keepAlive) {
        this.method = method;
        this.route = route;
        this.http10 = http10;
        this.keepAlive = keepAlive;
    }

    public Method method() {
        return method;
    }

    /** The index of the request's path in the parser's list of paths (the query ignored), or -1. */
    public int route() {
        return route;
    }

    /** True for HTTP/1.0, false for HTTP/1.1 (and 1.x, which is treated as 1.1). */
    public boolean http10() {
        return http10;
    }

    /**
     * True when the connection stays open after the response: HTTP/1.1 unless {@code Connection: close},
     * HTTP/1.0 only with {@code Connection: keep-alive} (and no {@code close}).
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public String toString() {
        return method + " route " + route + (http10 ? " HTTP/1.0" : " HTTP/1.1") + (keepAlive ? " keep-alive" : " close");
    }
}
