package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.command;

/**
 * Sets for {@link KvDifferentialTest}, integers (an intset) and words (a hashtable); the commands of
 * several keys cross shards with two shards. No SPOP nor SRANDMEMBER (a random choice); the replies
 * whose order is the hashtable's are sorted by the test ({@link KvDifferentialTest#normal}).
 */
final class SetFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> members = Arbitraries.of("1", "2", "-3", "10", "m", "n");
        return Arbitraries.oneOf(List.of(
                command("SADD", KEYS, members, members),
                command("SREM", KEYS, members),
                command("SCARD", KEYS),
                command("SISMEMBER", KEYS, members),
                command("SMISMEMBER", KEYS, members, members),
                command("SMEMBERS", KEYS),
                command("SMOVE", KEYS, KEYS, members),
                command("SINTER", KEYS, KEYS),
                command("SUNION", KEYS, KEYS),
                command("SDIFF", KEYS, KEYS),
                command("SINTERCARD", Arbitraries.just("2"), KEYS, KEYS),
                command("SINTERSTORE", KEYS, KEYS, KEYS),
                command("SUNIONSTORE", KEYS, KEYS, KEYS),
                command("SDIFFSTORE", KEYS, KEYS, KEYS)));
    }
}
