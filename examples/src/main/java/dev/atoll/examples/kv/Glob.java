package dev.atoll.examples.kv;

/**
 * Redis's glob-style patterns for KEYS, SCAN MATCH and CONFIG GET: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a-z]} and {@code \} to escape; byte-wise and case-sensitive.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] pattern, byte[] text) {
        return matches(pattern, 0, text, 0, 0);
    }

    private static boolean matches(byte[] p, int pi, byte[] s, int si, int depth) {
        if (depth > 1000) {
            return false; // a pathological pattern (thousands of '*'): refuse rather than recurse without bound
        }
        while (pi < p.length) {
            byte c = p[pi];
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k <= s.length; k++) {
                        if (matches(p, pi + 1, s, k, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si == s.length) {
                        return false;
                    }
                    si++;
                    pi++;
                }
                case '[' -> {
                    if (si == s.length) {
                        return false;
                    }
                    int end = pi + 1;
                    boolean negate = end < p.length && p[end] == '^';
                    if (negate) {
                        end++;
                    }
                    boolean match = false;
                    while (end < p.length && p[end] != ']') {
                        if (p[end] == '\\' && end + 1 < p.length) {
                            match |= p[end + 1] == s[si];
                            end += 2;
                        } else if (end + 2 < p.length && p[end + 1] == '-' && p[end + 2] != ']') {
                            int low = Math.min(p[end] & 0xFF, p[end + 2] & 0xFF);
                            int high = Math.max(p[end] & 0xFF, p[end + 2] & 0xFF);
                            match |= (s[si] & 0xFF) >= low && (s[si] & 0xFF) <= high;
                            end += 3;
                        } else {
                            match |= p[end] == s[si];
                            end++;
                        }
                    }
                    if (match == negate) {
                        return false;
                    }
                    si++;
                    pi = Math.min(end + 1, p.length);
                }
                default -> {
                    if (c == '\\' && pi + 1 < p.length) {
                        c = p[++pi];
                    }
                    if (si == s.length || s[si] != c) {
                        return false;
                    }
                    si++;
                    pi++;
                }
            }
        }
        return si == s.length;
    }
}
