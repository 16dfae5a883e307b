package dev.atoll.examples.kv;

/** Formats a {@code long} as ASCII decimal digits into a byte array, without a String. */
final class Decimal {
    /** The longest result: "-9223372036854775808". */
    static final int MAX_LENGTH = 20;

    private Decimal() {
    }

    /** Writes {@code value} at the start of {@code target}; returns the length. */
    static int format(long value, byte[] target) {
        return format(value, target, 0);
    }

    /** Writes {@code value} into {@code target} at {@code at}; returns the length. */
    static int format(long value, byte[] target, int at) {
        int start = at;
        if (value < 0) {
            target[at++] = '-';
        }
        int digits = 1;
        for (long v = value; v >= 10 || v <= -10; v /= 10) {
            digits++;
        }
        int end = at + digits;
        long v = value;
        for (int k = end - 1; k >= at; k--) {
            target[k] = (byte) ('0' + Math.abs(v % 10));
            v /= 10;
        }
        return end - start;
    }

    /** The decimal digits of {@code value} as a new array (a stored counter's value). */
    static byte[] bytes(long value) {
        byte[] scratch = new byte[MAX_LENGTH];
        return java.util.Arrays.copyOf(scratch, format(value, scratch));
    }
}
