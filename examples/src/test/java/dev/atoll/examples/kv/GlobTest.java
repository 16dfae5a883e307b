package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Glob patterns: Redis's semantics (a table of cases and Redis's own algorithm as the oracle), without its blow-up. */
class GlobTest {

    @Test
    void casesAsRedisAnswersThem() {
        String[][] cases = {
                // pattern, text, "y" when Redis matches
                {"", "", "y"}, {"", "a", "n"}, {"*", "", "n"},  // the empty text: only "" {"*", "anything", "y"}, {"**", "x", "y"},
                {"a*", "a", "y"}, {"a*", "ba", "n"}, {"*a", "bba", "y"}, {"*a", "ab", "n"}, {"a*b", "ab", "y"},
                {"a*b", "axxxb", "y"}, {"a*b", "axxxbx", "n"}, {"a*b*c", "abbbcbc", "y"}, {"*?", "", "n"},
                {"*?", "x", "y"}, {"h?llo", "hello", "y"}, {"h?llo", "hllo", "n"}, {"??", "ab", "y"}, {"??", "a", "n"},
                {"h[ae]llo", "hallo", "y"}, {"h[ae]llo", "hillo", "n"}, {"h[^e]llo", "hallo", "y"},
                {"h[^e]llo", "hello", "n"}, {"h[a-b]llo", "hbllo", "y"}, {"h[a-b]llo", "hcllo", "n"},
                {"[z-a]", "m", "y"},            // bounds in either order
                {"[a-]", "b", "n"}, {"[a-]", "]", "y"}, {"[a-]x", "]x", "n"},  // "a-]" is the range ']'..'a', the class left open
                {"[abc", "b", "y"}, {"[abc", "bz", "n"},                        // an open class runs to the end
                {"[", "", "n"}, {"[", "a", "n"}, {"[^", "q", "y"}, {"[]", "]", "n"}, {"[]]", "]", "n"},
                {"[\\]]", "]", "y"}, {"[\\-]", "-", "y"}, {"[a\\-z]", "b", "n"}, {"[a\\-z]", "-", "y"},
                {"\\*", "*", "y"}, {"\\*", "a", "n"}, {"\\?", "?", "y"}, {"\\?", "x", "n"}, {"a\\", "a\\", "y"},
                {"\\[a]", "[a]", "y"}, {"\\\\", "\\", "y"}, {"*\\*", "abc*", "y"}, {"*\\*", "abc", "n"},
                {"[*]", "*", "y"}, {"[?]", "a", "n"}, {"user:*:name", "user:42:name", "y"},
                {"user:*:name", "user:42:names", "n"}, {"*a*a*a*b", "aaaab", "y"}, {"*a*a*a*b", "aaaa", "n"},
        };
        for (String[] c : cases) {
            boolean expected = c[2].equals("y");
            assertEquals(expected, Glob.matches(bytes(c[0]), bytes(c[1])), "'" + c[0] + "' against '" + c[1] + "'");
            assertEquals(expected, RedisGlob.matches(bytes(c[0]), bytes(c[1])),
                    "the table disagrees with Redis's algorithm on '" + c[0] + "' against '" + c[1] + "'");
        }
    }

    /** Random short patterns and texts over the bytes that matter, against Redis's algorithm; seeded, bounded. */
    @Test
    void agreesWithRedisOnRandomPatterns() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] patternBytes = bytes("ab-*?[]^\\");
        byte[] textBytes = bytes("ab-]^\\*[");
        for (int i = 0; i < 200_000; i++) {
            byte[] pattern = randomBytes(random, patternBytes, 10);
            byte[] text = randomBytes(random, textBytes, 8);
            assertEquals(RedisGlob.matches(pattern, text), Glob.matches(pattern, text),
                    () -> "'" + text(pattern) + "' against '" + text(text) + "' (seed " + seed + ")");
        }
    }

    @Test
    void bytesAboveAsciiCompareAsRedisDoes() {
        byte[] high = {(byte) 0xE9};
        assertTrue(Glob.matches(new byte[] {'[', (byte) 0xE0, '-', (byte) 0xEF, ']'}, high));
        assertEquals(RedisGlob.matches(new byte[] {'[', 'a', '-', (byte) 0xFF, ']'}, high),
                Glob.matches(new byte[] {'[', 'a', '-', (byte) 0xFF, ']'}, high));
        assertTrue(Glob.matches(new byte[] {'?'}, high));
    }

    /** Issue 14, item 6: a*a*…*b against a 40-byte key took exponential time; now a bounded number of steps. */
    @Test
    void aPathologicalPatternEndsAtOnce() {
        byte[] key = bytes("a".repeat(40));
        byte[] pattern = bytes("a*".repeat(30) + "b");
        byte[] longKey = bytes("a".repeat(4000));
        byte[] longPattern = bytes("*a".repeat(2000) + "*b");
        // A liveness bound, not a speed measure: the old matcher needed more steps than fit in hours.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertFalse(Glob.matches(pattern, key));
            assertFalse(Glob.matches(longPattern, longKey));
            assertTrue(Glob.matches(bytes("a*".repeat(30)), key));
        });
    }

    private static byte[] randomBytes(SplittableRandom random, byte[] alphabet, int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /**
     * Redis 7.0's {@code stringmatchlen} (src/util.c) transcribed, recursion at each star included:
     * the oracle for short inputs. C reads the pattern's terminating NUL where Java checks the length.
     */
    private static final class RedisGlob {
        static boolean matches(byte[] p, byte[] s) {
            return match(p, 0, s, 0);
        }

        private static boolean match(byte[] p, int pi, byte[] s, int si) {
            int pl = p.length - pi;
            int sl = s.length - si;
            while (pl > 0 && sl > 0) {
                switch (p[pi]) {
                    case '*' -> {
                        while (pl > 1 && p[pi + 1] == '*') {
                            pi++;
                            pl--;
                        }
                        if (pl == 1) {
                            return true;
                        }
                        while (sl > 0) {
                            if (match(p, pi + 1, s, si)) {
                                return true;
                            }
                            si++;
                            sl--;
                        }
                        return false;
                    }
                    case '?' -> {
                        si++;
                        sl--;
                    }
                    case '[' -> {
                        pi++;
                        pl--;
                        boolean not = pl > 0 && p[pi] == '^';
                        if (not) {
                            pi++;
                            pl--;
                        }
                        boolean match = false;
                        while (true) {
                            if (pl >= 2 && p[pi] == '\\') {
                                pi++;
                                pl--;
                                if (p[pi] == s[si]) {
                                    match = true;
                                }
                            } else if (pl > 0 && p[pi] == ']') {
                                break;
                            } else if (pl == 0) {
                                pi--;
                                pl++;
                                break;
                            } else if (pl >= 3 && p[pi + 1] == '-') {
                                int start = p[pi];
                                int end = p[pi + 2];
                                int c = s[si];
                                if (start > end) {
                                    int t = start;
                                    start = end;
                                    end = t;
                                }
                                pi += 2;
                                pl -= 2;
                                if (c >= start && c <= end) {
                                    match = true;
                                }
                            } else if (p[pi] == s[si]) {
                                match = true;
                            }
                            pi++;
                            pl--;
                        }
                        if (not) {
                            match = !match;
                        }
                        if (!match) {
                            return false;
                        }
                        si++;
                        sl--;
                    }
                    default -> {
                        if (p[pi] == '\\' && pl >= 2) {
                            pi++;
                            pl--;
                        }
                        if (p[pi] != s[si]) {
                            return false;
                        }
                        si++;
                        sl--;
                    }
                }
                pi++;
                pl--;
                if (sl == 0) {
                    while (pl > 0 && p[pi] == '*') {
                        pi++;
                        pl--;
                    }
                    break;
                }
            }
            return pl == 0 && sl == 0;
        }
    }
}
