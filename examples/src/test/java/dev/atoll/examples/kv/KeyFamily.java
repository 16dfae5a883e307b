package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.command;

/**
 * Keys and expiry for {@link KvDifferentialTest}: expiries are absolute and far away (or in the past,
 * or 0, which delete at once), read back as EXPIRETIME, never as a TTL that depends on the moment.
 */
final class KeyFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> at = Arbitraries.of("99999999999", "99999999998", "1", "0", "-5", "x");
        Arbitrary<String> ms = Arbitraries.of("99999999999000", "99999999998000", "1", "0");
        Arbitrary<String> condition = Arbitraries.of("NX", "XX", "GT", "LT");
        return Arbitraries.oneOf(List.of(
                command("DEL", KEYS, KEYS),
                command("EXISTS", KEYS, KEYS),
                command("TYPE", KEYS),
                command("EXPIREAT", KEYS, at),
                command("EXPIREAT", KEYS, at, condition),
                command("PEXPIREAT", KEYS, ms),
                command("EXPIRE", KEYS, Arbitraries.of("0", "-1")),
                command("EXPIRETIME", KEYS),
                command("PEXPIRETIME", KEYS),
                command("PERSIST", KEYS),
                command("RENAME", KEYS, KEYS),
                command("RENAMENX", KEYS, KEYS),
                command("COPY", KEYS, KEYS),
                command("COPY", KEYS, KEYS, Arbitraries.just("REPLACE")),
                command("TOUCH", KEYS, KEYS)));
        // Not DBSIZE: Redis counts a key set with an expiry in the past until its expiry cycle removes it.
    }
}
