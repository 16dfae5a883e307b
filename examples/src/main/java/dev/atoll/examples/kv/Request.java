package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One parsed command as a view on the bytes it arrived in: argument {@code i} is
 * {@code bytes[offset(i), offset(i) + length(i))}. Filled by {@link RespParser} without copying or
 * allocating; valid until the next parse, so whatever must outlive the command is copied.
 */
final class Request {
    byte[] bytes;
    int[] offsets = new int[8];
    int[] lengths = new int[8];
    int count;
    /** The result of the last {@link #longAt} that succeeded. */
    long number;

    void reset(byte[] source) {
        bytes = source;
        count = 0;
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
            if ((bytes[offset + k] | 0x20) != lowerCase[k]) {
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
