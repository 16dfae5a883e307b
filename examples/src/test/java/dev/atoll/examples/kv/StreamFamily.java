package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.VALUES;
import static dev.atoll.examples.kv.CommandFamily.command;

/**
 * Streams for {@link KvDifferentialTest}: explicit IDs only (an automatic one is the moment's), trims
 * exact and approximate, XINFO STREAM's bookkeeping, and XREAD without BLOCK over keys of both shards.
 */
final class StreamFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> ids = Arbitraries.of("0-1", "1-1", "1-2", "2", "2-*", "3-0", "5-5", "9-*", "0-0", "x");
        Arbitrary<String> bounds = Arbitraries.of("-", "+", "1", "2-0", "(1-1", "(3-0", "5-5", "(+");
        Arbitrary<String> lengths = Arbitraries.of("0", "1", "2", "-1");
        return Arbitraries.oneOf(List.of(
                command("XADD", KEYS, ids, VALUES, VALUES),
                command("XADD", KEYS, Arbitraries.of("MAXLEN", "MINID"), Arbitraries.of("=", "~"), Arbitraries.of("1", "2-0"),
                        ids, VALUES, VALUES),
                command("XADD", KEYS, Arbitraries.just("NOMKSTREAM"), ids, VALUES, VALUES),
                command("XLEN", KEYS),
                command("XRANGE", KEYS, bounds, bounds),
                command("XRANGE", KEYS, bounds, bounds, Arbitraries.just("COUNT"), lengths),
                command("XREVRANGE", KEYS, bounds, bounds, Arbitraries.just("COUNT"), lengths),
                command("XDEL", KEYS, ids, ids),
                command("XTRIM", KEYS, Arbitraries.of("MAXLEN", "MINID"), lengths),
                command("XSETID", KEYS, ids),
                command("XSETID", KEYS, ids, Arbitraries.of("ENTRIESADDED", "MAXDELETEDID"), Arbitraries.of("3", "1-1", "9-9")),
                command("XINFO", Arbitraries.just("STREAM"), KEYS),
                command("XREAD", Arbitraries.just("STREAMS"), KEYS, KEYS, ids, ids),
                command("XREAD", Arbitraries.just("COUNT"), lengths, Arbitraries.just("STREAMS"), KEYS, Arbitraries.of("$", "0", "1-1"))));
    }
}
