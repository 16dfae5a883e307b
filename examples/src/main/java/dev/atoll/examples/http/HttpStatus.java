package dev.atoll.examples.http;

import java.nio.charset.StandardCharsets;

/** The response statuses the HTTP example sends, each with its status line ready to copy. */
public enum HttpStatus {
    OK(200, "OK"),
    BAD_REQUEST(400, "Bad Request"),
    NOT_FOUND(404, "Not Found"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
    CONTENT_TOO_LARGE(413, "Content Too Large"),
    URI_TOO_LONG(414, "URI Too Long"),
    REQUEST_HEADER_FIELDS_TOO_LARGE(431, "Request Header Fields Too Large"),
    NOT_IMPLEMENTED(501, "Not Implemented"),
    HTTP_VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported");

    private final int code;
    private final String reason;
    private final byte[] statusLine;
    private final byte[] reasonBytes;

    HttpStatus(int code, String reason) {
        this.code = code;
        this.reason = reason;
        this.statusLine = ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.reasonBytes = reason.getBytes(StandardCharsets.US_ASCII);
    }

    /** The three-digit code. */
    public int code() {
        return code;
    }

    /** The reason phrase, e.g. {@code Not Found}. */
    public String reason() {
        return reason;
    }

    /** {@code HTTP/1.1 404 Not Found\r\n}; shared, never modify it. */
    byte[] statusLine() {
        return statusLine;
    }

    /** The reason phrase as bytes, the body of an error response; shared, never modify it. */
    byte[] reasonBytes() {
        return reasonBytes;
    }
}
