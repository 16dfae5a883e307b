package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.VALUES;
import static dev.atoll.examples.kv.CommandFamily.command;

/** HyperLogLogs for {@link KvDifferentialTest}: PFADD, PFCOUNT and PFMERGE, their keys on both shards. */
final class HllFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        return Arbitraries.oneOf(List.of(
                command("PFADD", KEYS),
                command("PFADD", KEYS, VALUES.list().ofMinSize(1).ofMaxSize(4)),
                command("PFCOUNT", KEYS),
                command("PFCOUNT", KEYS, KEYS, KEYS),
                command("PFMERGE", KEYS),
                command("PFMERGE", KEYS, KEYS, KEYS)));
    }
}
