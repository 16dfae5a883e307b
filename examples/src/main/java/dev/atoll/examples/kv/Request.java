package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One parsed command as a view on the bytes it arrived in: argument {@code i} is
 * {@code bytes[offset(i), offset(i) + length(i))}. Filled by {@link RespParser} without copying or
 * allocating; valid until the next parse, so whatever must outlive the command is copied.
 *
 * <p>It also holds how far the parse of a command cut by the end of the input got (the arguments
 * so far and where the next one starts), so that the parse resumes there when more bytes came and a
 * command of a million arguments costs linear time. Each connection has its own for that reason.
 */
final class Request {
    private static final int INITIAL_ARGUMENTS = 8;
    /** Argument tables larger than this are let go once their command is done. */
    private static final int KEPT_ARGUMENTS = 1024;

    byte[] bytes;
    int[] offsets = new int[INITIAL_ARGUMENTS];
    int[] lengths = new int[INITIAL_ARGUMENTS];
    int count;
    /** The result of the last {@link #longAt} that succeeded. */
    long number;

    // The parse in progress of a command cut by the end of the input; all zero when there is none.
    /** Arguments the multibulk header announced. */
    int expected;
    /** Where the parse stopped, from the command's start: the header of the next argument, or the inline bytes searched. */
    int resumeAt;
    /** The command's start in the array it was last parsed in; offsets move with it. */
    int start;
    /** Bytes, from the command's start, the command needs at least: known once a bulk header is read. */
    long needed;

    void reset(byte[] source) {
        bytes = source;
        count = 0;
    }

    /** True when a command's parse stopped at the end of the input and must resume from {@link #resumeAt}. */
    boolean inProgress() {
        return resumeAt != 0;
    }

    /** Records where the parse of the command at {@code from} stopped ({@code at}) and how long it is at least. */
    void suspend(int from, int at, long atLeast) {
        start = from;
        resumeAt = at - from;
        needed = atLeast;
    }

    /** The command in progress is now at {@code from} of {@code source}: the arguments parsed so far move with it. */
    void resume(byte[] source, int from) {
        bytes = source;
        int delta = from - start;
        if (delta != 0) {
            for (int i = 0; i < count; i++) {
                offsets[i] += delta;
            }
        }
    }

    /** The command is complete or refused: no parse in progress. */
    void finish() {
        expected = 0;
        resumeAt = 0;
        start = 0;
        needed = 0;
    }

    /** Lets go of an argument table a huge command grew; between commands only. */
    void trim() {
        if (offsets.length > KEPT_ARGUMENTS) {
            offsets = new int[INITIAL_ARGUMENTS];
            lengths = new int[INITIAL_ARGUMENTS];
        }
    }

    /** Heap bytes of argument tables grown past their initial size, for the shard's account of query buffers. */
    long tableBytes() {
        return offsets.length > INITIAL_ARGUMENTS ? 8L * offsets.length : 0;
    }

    void add(int offset, int length) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }

    int count() {
        return count;
    }

    int offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return lengths[i];
    }

    /** True when argument {@code i} is {@code lowerCase}, ignoring ASCII case. */
    boolean is(int i, byte[] lowerCase) {
        int length = lengths[i];
        if (length != lowerCase.length) {
            return false;
        }
        int offset = offsets[i];
        for (int k = 0; k < length; k++) {
            byte c = bytes[offset + k];
            byte expected = lowerCase[k];
            // Only letters fold: for any other byte c | 0x20 may be another character (an underscore becomes DEL).
            if (c != expected && ((c | 0x20) != expected || expected < 'a' || expected > 'z')) {
                return false;
            }
        }
        return true;
    }

    /** Parses argument {@code i} as a Redis integer into {@link #number}; false when it is not one. */
    boolean longAt(int i) {
        return parseLong(bytes, offsets[i], lengths[i]);
    }

    /** Parses a decimal in Redis's strict form (no sign but '-', no leading zeros, no spaces) into {@link #number}. */
    boolean parseLong(byte[] source, int offset, int length) {
        if (length == 0 || length > 20) {
            return false;
        }
        int k = offset;
        int stop = offset + length;
        boolean negative = source[k] == '-';
        if (negative && ++k == stop) {
            return false;
        }
        if (source[k] == '0' && (stop - k > 1 || negative)) {
            return false;
        }
        long value = 0; // accumulated negatively: Long.MIN_VALUE has no positive twin
        for (; k < stop; k++) {
            int digit = source[k] - '0';
            if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10) {
                return false;
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return false;
            }
            value = -value;
        }
        number = value;
        return true;
    }

    /** A copy of argument {@code i}. */
    byte[] copy(int i) {
        return Arrays.copyOfRange(bytes, offsets[i], offsets[i] + lengths[i]);
    }

    /** Argument {@code i} as text, for error replies and the rare command that needs a string. */
    String string(int i) {
        return new String(bytes, offsets[i], lengths[i], StandardCharsets.UTF_8);
    }
}
