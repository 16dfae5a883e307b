package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.command;

/** Sorted sets for {@link KvDifferentialTest}: scores with ties, infinities and fractions; the stores and ZMPOP cross shards with two shards. */
final class ZSetFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> scores = Arbitraries.of("1", "2", "2", "-1.5", "0.1", "inf", "-inf", "1e3", "x");
        Arbitrary<String> members = Arbitraries.of("m1", "m2", "m3", "m4");
        Arbitrary<String> ranks = Arbitraries.of("0", "1", "-1", "5");
        Arbitrary<String> bounds = Arbitraries.of("-inf", "+inf", "1", "(1", "2");
        return Arbitraries.oneOf(List.of(
                command("ZADD", KEYS, scores, members),
                command("ZADD", KEYS, Arbitraries.of("NX", "XX", "GT", "LT", "CH"), scores, members, scores, members),
                command("ZINCRBY", KEYS, scores, members),
                command("ZREM", KEYS, members),
                command("ZCARD", KEYS),
                command("ZSCORE", KEYS, members),
                command("ZRANK", KEYS, members),
                command("ZREVRANK", KEYS, members),
                command("ZCOUNT", KEYS, bounds, bounds),
                command("ZRANGE", KEYS, ranks, ranks, Arbitraries.of("WITHSCORES", "REV")),
                command("ZRANGEBYSCORE", KEYS, bounds, bounds),
                command("ZPOPMIN", KEYS),
                command("ZPOPMAX", KEYS, Arbitraries.of("1", "2")),
                command("ZREMRANGEBYRANK", KEYS, ranks, ranks),
                command("ZUNIONSTORE", KEYS, Arbitraries.just("2"), KEYS, KEYS),
                command("ZINTERSTORE", KEYS, Arbitraries.just("2"), KEYS, KEYS, Arbitraries.just("AGGREGATE"),
                        Arbitraries.of("SUM", "MIN", "MAX")),
                command("ZDIFF", Arbitraries.just("2"), KEYS, KEYS, Arbitraries.just("WITHSCORES")),
                command("ZMPOP", Arbitraries.just("2"), KEYS, KEYS, Arbitraries.of("MIN", "MAX"))));
    }
}
