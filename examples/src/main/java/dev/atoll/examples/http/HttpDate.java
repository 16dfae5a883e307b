package dev.atoll.examples.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The {@code Date} header line of responses, formatted once a second rather than per response
 * (as the TechEmpower rules allow). Not thread-safe: one per event-loop thread.
 */
public final class HttpDate {
    /** {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n}: IMF-fixdate has a fixed length. */
    static final int LINE_LENGTH = 37;

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final LongSupplier clockMillis;
    private final byte[] line = new byte[LINE_LENGTH];
    private long second = Long.MIN_VALUE;

    /** A date line that follows the system clock. */
    public HttpDate() {
        this(System::currentTimeMillis);
    }

    /** A date line that follows the given clock (milliseconds since the epoch). */
    HttpDate(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** The second (since the epoch) of the line {@link #line()} last returned. */
    long second() {
        return second;
    }

    /** The current line, {@value #LINE_LENGTH} bytes; the array is reused, never modify it. */
    byte[] line() {
        long now = clockMillis.getAsLong();
        long nowSecond = Math.floorDiv(now, 1000);
        if (nowSecond != second) {
            second = nowSecond;
            byte[] formatted = ("Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(nowSecond)) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            if (formatted.length != LINE_LENGTH) {
                throw new IllegalStateException("a date beyond year 9999: " + Instant.ofEpochMilli(now));
            }
            System.arraycopy(formatted, 0, line, 0, LINE_LENGTH);
        }
        return line;
    }
}
