package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

/**
 * One family of commands for {@link KvDifferentialTest}: random commands over the test's small key
 * space, each a list of arguments (the name first). Only commands whose reply is the same on any
 * server given the same earlier commands: no relative expiry read back (TTL), no random choice, no
 * clock reading, no order a server may choose (SCAN, KEYS).
 */
interface CommandFamily {
    /** Every key a command may name. */
    List<String> KEY_NAMES = List.of("a", "b", "c", "d");
    /** The keys every family uses, so that families meet on the same keys (and WRONGTYPE shows). */
    Arbitrary<String> KEYS = Arbitraries.of(KEY_NAMES);
    /** Values: integers, a float, text, the empty string. */
    Arbitrary<String> VALUES = Arbitraries.of("1", "-2", "10", "3.5", "abc", "", "9223372036854775807", "x y");

    Arbitrary<List<String>> commands();

    /** A command of fixed words and generated arguments. */
    static Arbitrary<List<String>> command(String name, Arbitrary<?>... arguments) {
        if (arguments.length == 0) {
            return Arbitraries.just(List.of(name));
        }
        List<Arbitrary<Object>> parts = new java.util.ArrayList<>();
        for (Arbitrary<?> a : arguments) {
            parts.add(a.map(v -> (Object) v));
        }
        return net.jqwik.api.Combinators.combine(parts).as(values -> {
            List<String> words = new java.util.ArrayList<>();
            words.add(name);
            for (Object v : values) {
                if (v instanceof List<?> list) {
                    list.forEach(item -> words.add(String.valueOf(item)));
                } else {
                    words.add(String.valueOf(v));
                }
            }
            return words;
        });
    }
}
