package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.VALUES;
import static dev.atoll.examples.kv.CommandFamily.command;

/** Hashes for {@link KvDifferentialTest} (no HRANDFIELD: a random choice; HSCAN of a small hash is whole). */
final class HashFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> fields = Arbitraries.of("f1", "f2", "f3");
        return Arbitraries.oneOf(List.of(
                command("HSET", KEYS, fields, VALUES),
                command("HSET", KEYS, fields, VALUES, fields, VALUES),
                command("HSETNX", KEYS, fields, VALUES),
                command("HGET", KEYS, fields),
                command("HMGET", KEYS, fields, fields),
                command("HDEL", KEYS, fields, fields),
                command("HLEN", KEYS),
                command("HEXISTS", KEYS, fields),
                command("HGETALL", KEYS),
                command("HKEYS", KEYS),
                command("HVALS", KEYS),
                command("HSTRLEN", KEYS, fields),
                command("HINCRBY", KEYS, fields, VALUES),
                command("HINCRBYFLOAT", KEYS, fields, VALUES),
                command("HSCAN", KEYS, Arbitraries.just("0"))));
    }
}
