package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.VALUES;
import static dev.atoll.examples.kv.CommandFamily.command;

/** Lists for {@link KvDifferentialTest}: the moves and LMPOP meet keys of other shards with two shards (no blocking pop: it would wait). */
final class ListFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> indexes = Arbitraries.of("0", "1", "-1", "-2", "5", "x");
        Arbitrary<String> sides = Arbitraries.of("LEFT", "RIGHT");
        return Arbitraries.oneOf(List.of(
                command("LPUSH", KEYS, VALUES, VALUES),
                command("RPUSH", KEYS, VALUES),
                command("LPUSHX", KEYS, VALUES),
                command("RPUSHX", KEYS, VALUES),
                command("LPOP", KEYS),
                command("RPOP", KEYS, Arbitraries.of("0", "1", "2", "-1")),
                command("LLEN", KEYS),
                command("LRANGE", KEYS, indexes, indexes),
                command("LINDEX", KEYS, indexes),
                command("LSET", KEYS, indexes, VALUES),
                command("LINSERT", KEYS, Arbitraries.of("BEFORE", "AFTER"), VALUES, VALUES),
                command("LREM", KEYS, Arbitraries.of("0", "1", "-1", "2"), VALUES),
                command("LTRIM", KEYS, indexes, indexes),
                command("LPOS", KEYS, VALUES),
                command("LMOVE", KEYS, KEYS, sides, sides),
                command("RPOPLPUSH", KEYS, KEYS),
                command("LMPOP", Arbitraries.just("2"), KEYS, KEYS, sides, Arbitraries.just("COUNT"),
                        Arbitraries.of("1", "3"))));
    }
}
