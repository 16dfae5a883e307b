package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.VALUES;
import static dev.atoll.examples.kv.CommandFamily.command;

/** Strings and bitmaps for {@link KvDifferentialTest}. */
final class StringFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<Integer> small = Arbitraries.integers().between(-3, 12);
        return Arbitraries.oneOf(List.of(
                command("SET", KEYS, VALUES),
                command("SET", KEYS, VALUES, Arbitraries.of("NX", "XX", "GET", "KEEPTTL")),
                command("SET", KEYS, VALUES, Arbitraries.of("PXAT", "EXAT"), Arbitraries.of("99999999999", "1", "x")),
                command("GET", KEYS),
                command("GETSET", KEYS, VALUES),
                command("GETDEL", KEYS),
                command("SETNX", KEYS, VALUES),
                command("STRLEN", KEYS),
                command("APPEND", KEYS, VALUES),
                command("INCR", KEYS),
                command("DECR", KEYS),
                command("INCRBY", KEYS, VALUES),
                command("INCRBYFLOAT", KEYS, VALUES),
                command("SETRANGE", KEYS, small, VALUES),
                command("GETRANGE", KEYS, small, small),
                command("MGET", KEYS, KEYS, KEYS),
                command("MSET", KEYS, VALUES, KEYS, VALUES),
                command("SETBIT", KEYS, small, Arbitraries.of("0", "1", "2")),
                command("GETBIT", KEYS, small),
                command("BITCOUNT", KEYS),
                command("BITCOUNT", KEYS, small, small),
                command("BITPOS", KEYS, Arbitraries.of("0", "1")),
                command("OBJECT", Arbitraries.just("ENCODING"), KEYS)));
    }
}
