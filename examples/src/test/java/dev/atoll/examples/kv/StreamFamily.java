package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.VALUES;
import static dev.atoll.examples.kv.CommandFamily.command;

/**
 * Streams for {@link KvDifferentialTest}: explicit IDs only (an automatic one is the moment's), trims
 * exact and approximate, XINFO STREAM's bookkeeping, and XREAD without BLOCK over keys of both shards;
 * consumer groups: XGROUP, XREADGROUP of one key (several may be on two shards: CROSSSHARD), XACK, XCLAIM
 * and XAUTOCLAIM with no idle time, XPENDING's summary and XINFO GROUPS (the replies with times are
 * {@link KvStreamGroupsTest}'s).
 */
final class StreamFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> ids = Arbitraries.of("0-1", "1-1", "1-2", "2", "2-*", "3-0", "5-5", "9-*", "0-0", "x");
        Arbitrary<String> bounds = Arbitraries.of("-", "+", "1", "2-0", "(1-1", "(3-0", "5-5", "(+");
        Arbitrary<String> lengths = Arbitraries.of("0", "1", "2", "-1");
        Arbitrary<String> groups = Arbitraries.of("g", "h");
        Arbitrary<String> consumers = Arbitraries.of("c1", "c2");
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
                command("XREAD", Arbitraries.just("COUNT"), lengths, Arbitraries.just("STREAMS"), KEYS, Arbitraries.of("$", "0", "1-1")),
                command("XGROUP", Arbitraries.just("CREATE"), KEYS, groups, Arbitraries.of("0", "$", "1-1", "x"),
                        Arbitraries.of("MKSTREAM", "ENTRIESREAD")),
                command("XGROUP", Arbitraries.of("SETID", "DESTROY", "CREATECONSUMER", "DELCONSUMER"), KEYS, groups,
                        Arbitraries.of("0", "$", "c1", "c2")),
                command("XREADGROUP", Arbitraries.just("GROUP"), groups, consumers, Arbitraries.of("COUNT", "NOACK"),
                        Arbitraries.of("1", "2", "STREAMS"), Arbitraries.just("STREAMS"), KEYS, Arbitraries.of(">", "0", "1-1")),
                command("XREADGROUP", Arbitraries.just("GROUP"), groups, consumers, Arbitraries.just("STREAMS"), KEYS,
                        Arbitraries.of(">", "0", "$")),
                command("XACK", KEYS, groups, ids, ids),
                command("XCLAIM", KEYS, groups, consumers, Arbitraries.just("0"), ids, Arbitraries.of("JUSTID", "FORCE", "RETRYCOUNT")),
                command("XAUTOCLAIM", KEYS, groups, consumers, Arbitraries.just("0"), bounds, Arbitraries.of("COUNT", "JUSTID")),
                command("XPENDING", KEYS, groups),
                command("XINFO", Arbitraries.just("GROUPS"), KEYS)));
    }
}
