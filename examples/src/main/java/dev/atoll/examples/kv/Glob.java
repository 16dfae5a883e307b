package dev.atoll.examples.kv;

/**
 * Redis's glob-style patterns for KEYS, SCAN MATCH and CONFIG GET: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a-z]} and {@code \} to escape; byte-wise and case-sensitive, with Redis's
 * reading of odd patterns (a class left open runs to the end of the pattern, {@code [a-]} is a range
 * up to {@code ]}, range bounds compare as signed bytes as C's {@code char} does on x86, and only
 * the empty pattern matches the empty text: KEYS and SCAN treat a lone {@code *} apart, as Redis does).
 *
 * <p>Matching takes at most (pattern length + 1) × (text length + 1) steps and no recursion: every
 * token but {@code *} matches exactly one byte, so when a token fails only the last {@code *} needs
 * to take one byte more — earlier stars can never help (Redis 7's {@code stringmatchlen} recursed at
 * each star, exponential for {@code a*a*a*…b}).
 */
final class Glob {
    private static final int NO_MATCH = -1;

    private Glob() {
    }

    /** A lone {@code *}: KEYS and SCAN MATCH take every key without matching, the empty one too. */
    static boolean isEverything(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    static boolean matches(byte[] pattern, byte[] text) {
        return matches(pattern, text, 0, text.length);
    }

    /** Whether {@code pattern} matches {@code text[offset, offset + length)}, read in place (an ACL key check allocates nothing). */
    static boolean matches(byte[] pattern, byte[] text, int offset, int length) {
        if (length == 0) {
            return pattern.length == 0; // Redis's loop never starts: not even "*" matches the empty key
        }
        int p = 0;
        int t = offset;
        int end = offset + length;
        int afterStar = -1; // the pattern index after the last '*' seen, or -1: none yet
        int starText = 0;   // the text index where that star's match ends for now
        while (t < end) {
            if (p < pattern.length && pattern[p] == '*') {
                while (p < pattern.length && pattern[p] == '*') {
                    p++;
                }
                if (p == pattern.length) {
                    return true;
                }
                afterStar = p;
                starText = t;
                continue;
            }
            int next = p < pattern.length ? step(pattern, p, text[t]) : NO_MATCH;
            if (next != NO_MATCH) {
                p = next;
                t++;
            } else if (afterStar >= 0) {
                p = afterStar;
                t = ++starText; // the last star takes one byte more
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** The pattern index after the one-byte token at {@code p} if it matches {@code c}, else {@link #NO_MATCH}. */
    private static int step(byte[] pattern, int p, byte c) {
        byte token = pattern[p];
        if (token == '?') {
            return p + 1;
        }
        if (token == '[') {
            return classStep(pattern, p + 1, c);
        }
        if (token == '\\' && p + 1 < pattern.length) {
            p++;
        }
        return pattern[p] == c ? p + 1 : NO_MATCH;
    }

    /** A class after its '[': the index after its ']' (or the pattern's end) if it matches {@code c}. */
    private static int classStep(byte[] pattern, int p, byte c) {
        int end = pattern.length;
        boolean negate = p < end && pattern[p] == '^';
        if (negate) {
            p++;
        }
        boolean match = false;
        while (p < end && pattern[p] != ']') {
            if (pattern[p] == '\\' && end - p >= 2) {
                match |= pattern[p + 1] == c;
                p += 2;
            } else if (end - p >= 3 && pattern[p + 1] == '-') {
                int low = Math.min(pattern[p], pattern[p + 2]);
                int high = Math.max(pattern[p], pattern[p + 2]);
                match |= c >= low && c <= high;
                p += 3;
            } else {
                match |= pattern[p] == c;
                p++;
            }
        }
        return match != negate ? Math.min(p + 1, end) : NO_MATCH;
    }
}
