package dev.atoll.examples.kv;

import java.io.ByteArrayOutputStream;

/**
 * Bytes in RDB's encoding being written (an RDB file's part, a DUMP payload), with whether its strings may be
 * LZF-compressed: Redis's {@code rdbcompression}, which its rdbSaveRawString reads for both. Used by one thread.
 */
final class RdbBuffer extends ByteArrayOutputStream {
    /** Strings over 20 bytes are written LZF-compressed when that saves more than 4 bytes ({@code rdbcompression yes}). */
    final boolean compress;

    RdbBuffer(int size, boolean compress) {
        super(size);
        this.compress = compress;
    }

    /** Writes its bytes at the end of {@code other}. */
    void appendTo(RdbBuffer other) {
        other.write(buf, 0, count);
    }
}
