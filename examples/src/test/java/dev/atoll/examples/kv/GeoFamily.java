package dev.atoll.examples.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.List;

import static dev.atoll.examples.kv.CommandFamily.KEYS;
import static dev.atoll.examples.kv.CommandFamily.command;

/**
 * Geo for {@link KvDifferentialTest}: points anywhere and around two centres, on the sorted sets'
 * members (so ZADD's scores meet GEOPOS), searches by radius and box with every reply option, and
 * the stores, whose keys cross shards with two shards (STOREDIST shows distances to 17 digits).
 */
final class GeoFamily implements CommandFamily {
    @Override
    public Arbitrary<List<String>> commands() {
        Arbitrary<String> members = Arbitraries.of("m1", "m2", "m3", "m4");
        Arbitrary<List<String>> anywhere = Combinators.combine(
                Arbitraries.doubles().between(-180, 180).ofScale(5), Arbitraries.doubles().between(-85.05, 85.05).ofScale(5))
                .as((lon, lat) -> List.of(lon.toString(), lat.toString()));
        Arbitrary<List<String>> near = Combinators.combine(Arbitraries.of(13.0, -70.0), Arbitraries.of(38.0, 80.0),
                        Arbitraries.doubles().between(-2, 2).ofScale(4), Arbitraries.doubles().between(-2, 2).ofScale(4))
                .as((lon, lat, dx, dy) -> List.of(Double.toString(lon + dx), Double.toString(lat + dy)));
        Arbitrary<List<String>> points = Arbitraries.oneOf(anywhere, near, near);
        Arbitrary<String> units = Arbitraries.of("m", "km", "mi", "ft");
        Arbitrary<String> lengths = Arbitraries.of("0", "50", "200", "400", "5000000");
        Arbitrary<String> options = Arbitraries.of("ASC", "DESC", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC WITHDIST WITHCOORD");
        Arbitrary<List<String>> replyOptions = options.map(o -> List.of(o.split(" ")));
        return Arbitraries.oneOf(List.of(
                command("GEOADD", KEYS, points, members),
                command("GEOADD", KEYS, points, members, points, members),
                command("GEOADD", KEYS, Arbitraries.of("NX", "XX", "CH"), points, members),
                command("GEOPOS", KEYS, members, members),
                command("GEODIST", KEYS, members, members, units),
                command("GEOHASH", KEYS, members, members),
                command("GEOSEARCH", KEYS, Arbitraries.just("FROMLONLAT"), points, Arbitraries.just("BYRADIUS"), lengths,
                        units, replyOptions),
                command("GEOSEARCH", KEYS, Arbitraries.just("FROMMEMBER"), members, Arbitraries.just("BYBOX"), lengths,
                        lengths, units, replyOptions),
                command("GEOSEARCH", KEYS, Arbitraries.just("FROMMEMBER"), members, Arbitraries.just("BYRADIUS"), lengths,
                        units, Arbitraries.just("COUNT"), Arbitraries.of("1", "3"), replyOptions),
                command("GEOSEARCHSTORE", KEYS, KEYS, Arbitraries.just("FROMLONLAT"), points, Arbitraries.just("BYBOX"),
                        lengths, lengths, units, Arbitraries.of("ASC", "STOREDIST")),
                command("GEORADIUS", KEYS, points, lengths, units, replyOptions),
                command("GEORADIUS", KEYS, points, lengths, units, Arbitraries.of("STORE", "STOREDIST"), KEYS),
                command("GEORADIUSBYMEMBER", KEYS, members, lengths, units, Arbitraries.of("STORE", "STOREDIST"), KEYS),
                command("GEORADIUSBYMEMBER_RO", KEYS, members, lengths, units, replyOptions),
                command("ZRANGE", KEYS, Arbitraries.just("0"), Arbitraries.just("-1"), Arbitraries.just("WITHSCORES"))));
    }
}
