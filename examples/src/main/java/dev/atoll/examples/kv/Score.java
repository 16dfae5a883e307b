package dev.atoll.examples.kv;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Sorted-set scores as Redis 7.0 reads and writes them: read with C's {@code strtod} grammar
 * (decimal, hexadecimal, {@code inf}/{@code infinity} in any case, a sign; NaN refused), written as
 * C's {@code printf("%.17g")} (seventeen significant digits, trailing zeros dropped; {@code inf},
 * {@code -inf}). Seventeen digits read back to the same double, so a logged score is bit-exact.
 */
final class Score {
    /** What a failed parse returns: no score is NaN. */
    static final double INVALID = Double.NaN;
    private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);
    private static final byte[] INF = ReplyWriter.asciiBytes("inf");
    private static final byte[] MINUS_INF = ReplyWriter.asciiBytes("-inf");
    /** The digits {@link #plainDecimal} reads: 10^15 - 1 is below 2^53, so exact as a double. */
    private static final int MAX_PLAIN_DIGITS = 15;
    /** Integers below it {@link #format} writes as their digits, without {@code BigDecimal} (a rewrite of a large set). */
    private static final double MAX_PLAIN_INTEGER = 1e15;
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15};

    private Score() {
    }

    /**
     * A score argument as Redis's getDoubleFromObject reads it (ZADD, ZINCRBY, WEIGHTS): the whole
     * text must be a number, not empty, no leading space, no overflow or underflow to zero, not NaN.
     * {@link #INVALID} otherwise.
     */
    static double parse(byte[] b, int offset, int length) {
        if (length == 0 || isSpace(b[offset])) {
            return INVALID;
        }
        return strtod(b, offset, length, true);
    }

    /**
     * A bound of a score range as Redis's zslParseRange reads it (after the optional '('): strtod
     * without Redis's extra checks — leading spaces and an empty text (zero) pass, overflow gives inf.
     */
    static double parseBound(byte[] b, int offset, int length) {
        while (length > 0 && isSpace(b[offset])) {
            offset++;
            length--;
        }
        if (length == 0) {
            return 0;
        }
        return strtod(b, offset, length, false);
    }

    /**
     * A weight as Redis's SORT reads it: strtod, then its checks of the whole text being read, ERANGE and NaN —
     * leading spaces and an empty text (zero) pass, overflow or underflow to zero does not. {@link #INVALID} otherwise.
     */
    static double parseWeight(byte[] b, int offset, int length) {
        while (length > 0 && isSpace(b[offset])) {
            offset++;
            length--;
        }
        return length == 0 ? 0 : strtod(b, offset, length, true);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** The whole of {@code b[offset, offset + length)} as strtod reads it; {@link #INVALID} if it is not all a number. */
    private static double strtod(byte[] b, int offset, int length, boolean checkRange) {
        double plain = plainDecimal(b, offset, length);
        if (!Double.isNaN(plain)) {
            return plain;
        }
        String text = new String(b, offset, length, StandardCharsets.ISO_8859_1);
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '+' || text.charAt(0) == '-') {
            negative = text.charAt(0) == '-';
            i++;
        }
        String rest = text.substring(i).toLowerCase(java.util.Locale.ROOT);
        if (rest.equals("inf") || rest.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        boolean hex = rest.startsWith("0x");
        int at = hex ? 2 : 0;
        int digits = 0;
        boolean nonZero = false;
        boolean point = false;
        for (; at < rest.length(); at++) {
            char c = rest.charAt(at);
            if (c == '.' && !point) {
                point = true;
            } else if (hex ? Character.digit(c, 16) >= 0 : c >= '0' && c <= '9') {
                digits++;
                nonZero |= c != '0';
            } else {
                break;
            }
        }
        if (digits == 0) {
            return INVALID;
        }
        if (at < rest.length()) { // an exponent, and nothing after it
            char marker = rest.charAt(at);
            if (marker != (hex ? 'p' : 'e')) {
                return INVALID;
            }
            int e = at + 1;
            if (e < rest.length() && (rest.charAt(e) == '+' || rest.charAt(e) == '-')) {
                e++;
            }
            if (e == rest.length()) {
                return INVALID;
            }
            for (; e < rest.length(); e++) {
                if (rest.charAt(e) < '0' || rest.charAt(e) > '9') {
                    return INVALID;
                }
            }
        } else if (hex) {
            rest = rest + "p0"; // Java wants the binary exponent C may leave out
        }
        double value = Double.parseDouble(rest);
        if (checkRange && (Double.isInfinite(value) || (value == 0 && nonZero))) {
            return INVALID; // ERANGE: overflow, or underflow to zero
        }
        return negative ? -value : value;
    }

    /**
     * The common text exactly and without allocating: a sign, then at most 15 digits with at most one
     * point, no exponent. Its digits make an integer below 2^53 and its fraction a power of ten up to
     * 10^15, both exact as doubles, so their quotient is the correctly rounded value strtod gives.
     * NaN for any other text (left to the full grammar).
     */
    private static double plainDecimal(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        boolean negative = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        long digits = 0;
        int count = 0;
        int point = -1;
        for (; i < end; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '9') {
                if (++count > MAX_PLAIN_DIGITS) {
                    return Double.NaN;
                }
                digits = digits * 10 + (c - '0');
            } else if (c == '.' && point < 0) {
                point = count;
            } else {
                return Double.NaN;
            }
        }
        if (count == 0) {
            return Double.NaN;
        }
        double value = point < 0 ? digits : digits / POWERS_OF_TEN[count - point];
        return negative ? -value : value;
    }

    /** The score as Redis 7.0 replies it: C's %.17g, and inf / -inf. */
    static byte[] format(double score) {
        if (Double.isInfinite(score)) {
            return score > 0 ? INF : MINUS_INF;
        }
        if (score != 0 && score == (long) score && Math.abs(score) < MAX_PLAIN_INTEGER) {
            return Decimal.bytes((long) score); // what %.17g prints of an integer of up to 15 digits: its digits
        }
        return text(score).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The score as Redis 7.0's listpack holds it (its d2string), which ZSCAN of a small set shows:
     * an integral score within half the long range as an integer, else as {@link #format}.
     */
    static byte[] listpackText(double score) {
        if (score >= -Long.MAX_VALUE / 2 && score <= Long.MAX_VALUE / 2 && score == (long) score) {
            return Decimal.bytes((long) score);
        }
        return format(score);
    }

    /** C's {@code printf("%.17g", score)} of a finite score. */
    static String text(double score) {
        if (score == 0) {
            return 1 / score < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(score).round(SEVENTEEN);
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < 17) {
            return rounded.stripTrailingZeros().toPlainString();
        }
        String digits = rounded.unscaledValue().abs().toString();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        StringBuilder s = new StringBuilder(24);
        if (score < 0) {
            s.append('-');
        }
        s.append(digits.charAt(0));
        if (end > 1) {
            s.append('.').append(digits, 1, end);
        }
        s.append('e').append(exponent < 0 ? '-' : '+');
        int magnitude = Math.abs(exponent);
        if (magnitude < 10) {
            s.append('0');
        }
        return s.append(magnitude).toString();
    }
}
