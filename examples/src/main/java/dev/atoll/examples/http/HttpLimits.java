package dev.atoll.examples.http;

import com.typesafe.config.ConfigException;
import dev.atoll.config.ConfigReader;

/**
 * The size limits the request parser enforces, read from the example's own {@code http { }}
 * section (defaults in the examples' {@code reference.conf}).
 *
 * @param maxRequestLine  bytes of the request line (method, target, version, CR); beyond it 414,
 *                        since only the target is unbounded; also the limit of a chunk-size line
 * @param maxHeaderBytes  bytes of all header lines together, and of the trailer lines of a chunked
 *                        body; beyond it 431
 * @param maxHeaders      number of header fields (trailer fields included); beyond it 431
 * @param maxBodyBytes    bytes of a request body (Content-Length, or the sum of the chunks); beyond it 413
 */
public record HttpLimits(int maxRequestLine, int maxHeaderBytes, int maxHeaders, long maxBodyBytes) {

    /** What the examples' {@code reference.conf} sets: 8 KiB, 8 KiB, 100 fields, 1 MiB. */
    public static final HttpLimits DEFAULTS = new HttpLimits(8192, 8192, 100, 1 << 20);

    public HttpLimits {
        if (maxRequestLine < 16 || maxHeaderBytes < 16 || maxHeaders < 1 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("limits too small: " + maxRequestLine + ", " + maxHeaderBytes
                    + ", " + maxHeaders + ", " + maxBodyBytes);
        }
    }

    /** Reads {@code http.max-request-line}, {@code http.max-header-bytes}, {@code http.max-headers}, {@code http.max-body-bytes}. */
    public static HttpLimits from(ConfigReader reader) {
        return new HttpLimits(
                (int) size(reader, "http.max-request-line", 16, 1 << 20),
                (int) size(reader, "http.max-header-bytes", 16, 1 << 20),
                reader.intIn("http.max-headers", 1, 10_000),
                size(reader, "http.max-body-bytes", 0, 1L << 40));
    }

    /** A size in bytes, written as a number or with a unit ({@code 8k}, {@code 8KiB}, {@code 1m}). */
    private static long size(ConfigReader reader, String path, long min, long max) {
        String expected = "a size in bytes such as 8192, 8k or 1m, from " + min + " to " + max;
        long bytes;
        try {
            bytes = reader.config().getBytes(path);
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            throw reader.invalid(path, expected);
        }
        if (bytes < min || bytes > max) {
            throw reader.invalid(path, expected);
        }
        return bytes;
    }
}
