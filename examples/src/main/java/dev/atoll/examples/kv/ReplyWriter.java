package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Replies appended to a growable byte array: what one connection (or one batch on a remote shard)
 * answers between two sends. Nothing is allocated per reply once the array has grown. Speaks RESP2,
 * or RESP3 after {@link #resp3(boolean)} (a connection that sent {@code HELLO 3}): then nulls are
 * {@code _}, maps {@code %} and long texts verbatim strings; everything else is the same.
 *
 * <p>A Java array holds less than 2 GiB: sizes are computed in {@code long}, and an append that would
 * take the writer past its {@link #limit} throws {@link TooLarge} before anything is allocated or
 * written, so that the caller can {@link #truncate} back to where the reply began and answer an error.
 */
final class ReplyWriter {
    /** The largest array the JVM allocates. */
    static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /** An append would take the writer past its limit; nothing of it was written. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long size, int limit) {
            super("ERR reply too large: it would take " + size + " bytes of a buffer that holds at most " + limit,
                    null, false, false);
        }
    }

    static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TXT = "txt:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_RESP3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EMPTY_ARRAY = "*0\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final int MAX_SMALL = 512;
    /** Prepared ":n\r\n" and "$n\r\n" for the small numbers most replies carry. */
    private static final byte[][] INTEGERS = prepared(':');
    private static final byte[][] BULK_HEADERS = prepared('$');

    private static final byte[] EMPTY = new byte[0];
    private final byte[] scratch = new byte[Decimal.MAX_LENGTH];
    private final int limit;
    /** Where grown arrays come from and go back to (a connection's output); null: plain growth. */
    private final OutputArrays arrays;
    private byte[] bytes;
    private int size;
    private boolean resp3;
    /** The size at which the client's output limit is reached ({@link #limitTo}). */
    private int outputLimit = Integer.MAX_VALUE;

    /** The bytes of an ASCII constant (command names, options). */
    static byte[] asciiBytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    ReplyWriter(int initialCapacity) {
        this(initialCapacity, MAX_CAPACITY);
    }

    /** A writer that never holds more than {@code limit} bytes. */
    ReplyWriter(int initialCapacity, int limit) {
        this(initialCapacity, limit, null);
    }

    /** A writer whose grown arrays are taken from {@code arrays} and given back to it when it shrinks. */
    ReplyWriter(int initialCapacity, OutputArrays arrays) {
        this(initialCapacity, MAX_CAPACITY, arrays);
    }

    private ReplyWriter(int initialCapacity, int limit, OutputArrays arrays) {
        this.limit = limit;
        this.arrays = arrays;
        this.bytes = newArray(initialCapacity);
    }

    /** An array of at least {@code capacity} bytes: from {@link #arrays} (a power of two from 512 bytes) if there are any. */
    private byte[] newArray(int capacity) {
        return arrays == null ? new byte[capacity] : arrays.take(capacity);
    }

    private static byte[][] prepared(char prefix) {
        byte[][] table = new byte[MAX_SMALL][];
        for (int i = 0; i < MAX_SMALL; i++) {
            table[i] = (prefix + Integer.toString(i) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        return table;
    }

    /** Switches between RESP2 (false) and RESP3 (true). */
    ReplyWriter resp3(boolean on) {
        resp3 = on;
        return this;
    }

    boolean resp3() {
        return resp3;
    }

    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** Drops what was appended after {@code mark} (a size seen before): a reply that could not be finished. */
    void truncate(int mark) {
        size = mark;
    }

    /**
     * The reply about to be written may take {@code room} more bytes before its client's output limit:
     * from there on {@link #full()} is true, and a reply of many values (MGET) stops growing.
     */
    void limitTo(long room) {
        outputLimit = (int) Math.min(Integer.MAX_VALUE, size + Math.max(0, room));
    }

    /** The limit set by {@link #limitTo} is reached: the connection these replies are for is closed, unsent. */
    boolean full() {
        return size >= outputLimit;
    }

    /** Drops the first {@code n} bytes (they were sent), keeping the rest at the start. */
    void consume(int n) {
        System.arraycopy(bytes, n, bytes, 0, size - n);
        size -= n;
    }

    /**
     * After all of it was sent ({@code sent} bytes since the last {@link #clear}): keeps the array while
     * it is at most {@code retained} bytes, or at most {@code max} and the replies just sent filled a
     * quarter of it (a connection receiving large replies, as LRANGE's or pipelined ones, would grow it
     * again at once); else shrinks it back to {@code capacity}. Redis similarly keeps 16 KiB of reply
     * buffer per client.
     */
    void trimAfter(int sent, int capacity, int retained, int max) {
        if (size == 0 && bytes.length > retained && (sent < bytes.length / 4 || bytes.length > max)) {
            shrinkTo(capacity);
        }
    }

    /** Shrinks the array back to {@code capacity} if a large reply grew it past {@code 4 * capacity}. */
    void trim(int capacity) {
        if (size == 0 && bytes.length > 4 * capacity) {
            shrinkTo(capacity);
        }
    }

    private void shrinkTo(int capacity) {
        if (arrays != null) {
            arrays.give(bytes);
        }
        bytes = newArray(capacity);
    }

    /**
     * Drops what it holds and gives its array back (its connection closed): whatever is written after
     * that grows a new one.
     */
    void release() {
        size = 0;
        if (arrays != null) {
            arrays.give(bytes);
        }
        bytes = EMPTY;
    }

    ReplyWriter raw(byte[] source) {
        return raw(source, 0, source.length);
    }

    ReplyWriter raw(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
        return this;
    }

    ReplyWriter ok() {
        return raw(OK);
    }

    ReplyWriter nullBulk() {
        return raw(resp3 ? NULL_RESP3 : NULL);
    }

    ReplyWriter nullArray() {
        return raw(resp3 ? NULL_RESP3 : NULL_ARRAY);
    }

    /** A map of {@code pairs} key-value pairs: {@code %n} in RESP3, an array of {@code 2n} in RESP2. */
    ReplyWriter mapHeader(long pairs) {
        if (!resp3) {
            return arrayHeader(pairs * 2);
        }
        ensure(24);
        bytes[size++] = '%';
        decimal(pairs);
        return crlf();
    }

    /** A set of {@code count} elements: {@code ~n} in RESP3, an array in RESP2 (SMEMBERS, SINTER, SPOP with a count). */
    ReplyWriter setHeader(long count) {
        if (!resp3) {
            return arrayHeader(count);
        }
        ensure(24);
        bytes[size++] = '~';
        decimal(count);
        return crlf();
    }

    /** A text meant for people (INFO): a verbatim string {@code =n\r\ntxt:...} in RESP3, a bulk string in RESP2. */
    ReplyWriter verbatim(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (!resp3) {
            return bulk(utf8);
        }
        ensure(24);
        bytes[size++] = '=';
        decimal(utf8.length + 4L);
        crlf();
        raw(TXT);
        raw(utf8);
        return crlf();
    }

    /** A simple string: {@code +text}. */
    ReplyWriter simple(String text) {
        ensure(text.length() + 3);
        bytes[size++] = '+';
        ascii(text);
        return crlf();
    }

    /** An array of simple strings, one per line: a command's HELP, as Redis writes it. */
    ReplyWriter helpLines(String[] lines) {
        arrayHeader(lines.length);
        for (String line : lines) {
            simple(line);
        }
        return this;
    }

    /** An error: {@code -text} (the text starts with its code: ERR, NOAUTH, WRONGPASS, ...). */
    ReplyWriter error(String text) {
        ErrorStats.current().count(text); // INFO errorstats: counted on the thread that answers it
        ensure(text.length() + 3);
        bytes[size++] = '-';
        ascii(text);
        return crlf();
    }

    ReplyWriter integer(long value) {
        if (value >= 0 && value < MAX_SMALL) {
            return raw(INTEGERS[(int) value]);
        }
        ensure(24);
        bytes[size++] = ':';
        decimal(value);
        return crlf();
    }

    /** A push of {@code count} items (pub/sub messages and confirmations): {@code >n} in RESP3, an array in RESP2. */
    ReplyWriter pushHeader(long count) {
        ensure(24);
        bytes[size++] = (byte) (resp3 ? '>' : '*');
        decimal(count);
        return crlf();
    }

    ReplyWriter arrayHeader(long count) {
        ensure(24);
        bytes[size++] = '*';
        decimal(count);
        return crlf();
    }

    ReplyWriter bulk(byte[] value) {
        return bulk(value, 0, value.length);
    }

    ReplyWriter bulk(byte[] value, int offset, int length) {
        if (length < MAX_SMALL) {
            raw(BULK_HEADERS[length]);
        } else {
            ensure(24);
            bytes[size++] = '$';
            decimal(length);
            crlf();
        }
        ensure(length + 2L);
        System.arraycopy(value, offset, bytes, size, length);
        size += length;
        return crlf();
    }

    ReplyWriter bulk(String text) {
        return bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string of a number's decimal digits (what GET returns after INCR). */
    ReplyWriter bulkDecimal(long value) {
        return bulk(scratch, 0, Decimal.format(value, scratch));
    }

    private ReplyWriter crlf() {
        ensure(2);
        bytes[size++] = '\r';
        bytes[size++] = '\n';
        return this;
    }

    private void ascii(String text) {
        ensure(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes[size++] = (byte) (c < 0x80 && c != '\r' && c != '\n' ? c : '?');
        }
    }

    /** Appends a signed decimal. */
    private void decimal(long value) {
        ensure(Decimal.MAX_LENGTH);
        size += Decimal.format(value, bytes, size);
    }

    private void ensure(long more) {
        if (size + more > bytes.length) {
            int capacity = grownCapacity(bytes.length, size, more, limit);
            if (arrays == null) {
                bytes = Arrays.copyOf(bytes, capacity);
            } else {
                byte[] grown = arrays.take(capacity);
                System.arraycopy(bytes, 0, grown, 0, size);
                arrays.give(bytes);
                bytes = grown;
            }
        }
    }

    /**
     * The capacity for {@code more} bytes after {@code size} in an array of {@code capacity}: doubled,
     * or just enough, but never past {@code limit}; throws {@link TooLarge} when even that is short.
     */
    static int grownCapacity(int capacity, int size, long more, int limit) {
        long needed = size + more;
        if (needed > limit) {
            throw new TooLarge(needed, limit);
        }
        return (int) Math.min(Math.max(needed, 2L * capacity), limit);
    }
}
