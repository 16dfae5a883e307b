package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The geo commands (issue 18) against what redis-server 7.0.15 answered, byte for byte: a script of
 * every command, option and error ({@code kv/geo-replies.txt}: each reply's bytes, escaped, one a
 * line), run in RESP2 and again in RESP3, on 1 and 2 shards — on 2 the STORE destination
 * {@code dst2} of {@code Sicily} and {@code dst} of {@code str} and {@code big} are on the other
 * shard than their source, so those stores gather across shards. GEOADD's scores are read back by ZRANGE WITHSCORES and ZADD's scores
 * by GEOPOS and GEOHASH, including scores no GEOADD makes (2^52, 1e300, inf). The recording is
 * checked against a fresh redis-server when one is installed ({@code -Drecord=FILE} writes what it
 * answered); a restart with another shard count keeps every point.
 */
class KvGeoTest extends KvOneAndTwoShards {
    private static final String RECORDING = "/kv/geo-replies.txt";

    /** The script, without the HELLO that switches protocols (its reply names the server). */
    static List<List<String>> script() {
        List<List<String>> s = new ArrayList<>();
        String[] lines = {
            "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
            "ZRANGE Sicily 0 -1 WITHSCORES",
            "GEOADD Sicily NX 13.361389 38.115556 Palermo 12.437 37.798 Marsala",
            "GEOADD Sicily XX CH 13.4 38.115556 Palermo 13 38.2 Nowhere",
            "GEOADD Sicily CH 13.4 38.115556 Palermo 14.55 36.74 Ragusa",
            "GEOADD Sicily ch xx 13.361389 38.115556 Palermo",
            "GEOADD Sicily NX XX 1 2 m",
            "GEOADD Sicily 1 2",
            "GEOADD Sicily CH CH CH",
            "GEOADD Sicily 1 2 m 3",
            "GEOADD Sicily 200 10 x",
            "GEOADD Sicily 10 -86 x",
            "GEOADD Sicily -180.5 85.05112879 x",
            "GEOADD Sicily inf 1 x",
            "GEOADD Sicily x 1 m",
            "GEOADD Sicily 1 nan m",
            "GEOADD Sicily GT 1 2 m",
            "GEOADD Sicily 1",
            "ZRANGE Sicily 0 -1 WITHSCORES",
            "GEOPOS Sicily Palermo Catania nonex Ragusa",
            "GEOPOS nokey a b",
            "GEOPOS Sicily",
            "GEODIST Sicily Palermo Catania",
            "GEODIST Sicily Palermo Catania km",
            "GEODIST Sicily Palermo Catania KM",
            "GEODIST Sicily Palermo Catania mi",
            "GEODIST Sicily Palermo Catania ft",
            "GEODIST Sicily Palermo Catania m",
            "GEODIST Sicily Palermo Palermo",
            "GEODIST Sicily Palermo Catania yd",
            "GEODIST Sicily Palermo Catania km x",
            "GEODIST Sicily Palermo nonex",
            "GEODIST nokey a b",
            "GEODIST nokey a b yd",
            "GEODIST Sicily Palermo",
            "GEOHASH Sicily Palermo Catania nonex Marsala",
            "GEOHASH nokey a",
            "GEOHASH Sicily",
            "ZADD w 0 zero 4503599627370496 top 4503599627370495 max52 1.5 frac -1 neg 1e300 big inf inf -inf ninf",
            "GEOPOS w zero top max52 frac neg big inf ninf",
            "GEOHASH w zero top max52 frac neg big inf ninf",
            "GEODIST w zero max52 km",
            "GEOADD w 180 85.05112878 corner -180 -85.05112878 corner2 0 0 origin -0.0001 0.0001 near",
            "ZRANGE w 0 -1 WITHSCORES",
            "GEOPOS w corner corner2 origin near",
            "GEOHASH w corner corner2 origin near",
            "SET str x",
            "GEOADD str 1 2 a",
            "GEOADD str 1 x a",
            "GEOPOS str a",
            "GEODIST str a b",
            "GEODIST str a b yd",
            "GEOHASH str a",
            "GEOSEARCH str FROMLONLAT 1 2 BYRADIUS 1 km",
            "GEOSEARCH str FROMLONLAT 1 2 BYRADIUS x km",
            "GEORADIUS str 1 2 1 km",
            "GEORADIUSBYMEMBER str a 1 km",
            "GEOSEARCHSTORE dst str FROMLONLAT 1 2 BYRADIUS 1 km",
            "GEOSEARCHSTORE dst2 str FROMLONLAT 1 2 BYRADIUS 1 km",
            "GEORADIUS str 1 2 1 km STORE dst2",
            "GEOADD Sicily 13.5833 37.3167 Agrigento 15.2833 37.0667 Siracusa 12.55 38.0167 Trapani 14.0333 37.4833 Caltanissetta"
                + " 14.2833 37.5667 Enna 15.55 38.1833 Messina 12.0 36.8 Pantelleria 16.0 38.5 Tropea 14.3 40.85 Napoli",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km DESC WITHCOORD WITHDIST WITHHASH",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHHASH",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 3",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 3 ANY",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 DESC WITHDIST",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 100 ASC WITHDIST",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 124.3 mi ASC WITHDIST",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 656000 ft ASC WITHDIST",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC WITHDIST",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 100 300 mi DESC WITHCOORD",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 200 50 km ASC WITHDIST",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 0 m WITHDIST",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 0 m",
            "GEOSEARCH Sicily BYRADIUS 200 km FROMLONLAT 15 37 ASC",
            "GEOSEARCH Sicily FROMLONLAT 0 0 BYRADIUS 20000 km ASC",
            "GEOSEARCH Sicily FROMLONLAT 0 0 BYBOX 40000 40000 km DESC COUNT 4",
            "GEOSEARCH Sicily FROMMEMBER nope BYRADIUS 1 km",
            "GEOSEARCH nokey FROMMEMBER nope BYRADIUS 1 km",
            "GEOSEARCH nokey FROMLONLAT 1 2 BYRADIUS 1 km",
            "GEOSEARCH nokey FROMLONLAT 1 2 BYRADIUS 1 km WITHDIST STOREDIST",
            "GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 1 2 BYRADIUS 1 km",
            "GEOSEARCH Sicily FROMLONLAT 1 2 FROMMEMBER Palermo BYRADIUS 1 km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km BYBOX 1 1 km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 1 km BYRADIUS 1 km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km STORE x",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km STOREDIST",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km ANY",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km COUNT 0",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km COUNT -1",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km COUNT x",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 km COUNT",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS x km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS -1 km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1 yd",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX x 1 km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 x km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 -1 km",
            "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 1 1 yd",
            "GEOSEARCH Sicily FROMLONLAT 200 37 BYRADIUS 200 km",
            "GEOSEARCH Sicily FROMLONLAT 15 BYRADIUS 200 km",
            "GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST",
            "geosearch Sicily BYRADIUS 200 km ASC WITHDIST",
            "GeoSearch Sicily FROMLONLAT 15 37 ASC WITHDIST",
            "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km FOO",
            "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km",
            "ZRANGE dst 0 -1 WITHSCORES",
            "GEOSEARCHSTORE dst2 Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "OBJECT ENCODING dst2",
            "GEOSEARCHSTORE dst2 Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 DESC STOREDIST",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEOSEARCHSTORE dst2 Sicily FROMMEMBER Palermo BYBOX 300 300 mi ASC",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEOSEARCHSTORE dst2 Sicily FROMLONLAT 15 37 BYRADIUS 1 m",
            "EXISTS dst2",
            "SET dst2 string",
            "GEOSEARCHSTORE dst2 nokey FROMLONLAT 15 37 BYRADIUS 1 m",
            "EXISTS dst2",
            "GEOSEARCHSTORE dst2 Sicily FROMLONLAT 15 37 BYRADIUS 1 km WITHDIST",
            "GEOSEARCHSTORE dst2 Sicily FROMLONLAT 15 37 BYRADIUS 1 km STORE x",
            "GEOSEARCHSTORE dst2 Sicily FROMMEMBER nope BYRADIUS 1 km",
            "GEOSEARCHSTORE dst2 Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY COUNT 2",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEORADIUS Sicily 15 37 200 km",
            "GEORADIUS Sicily 15 37 200 km WITHDIST",
            "GEORADIUS Sicily 15 37 200 km WITHCOORD WITHHASH ASC",
            "GEORADIUS Sicily 15 37 200 km COUNT 1",
            "GEORADIUS Sicily 15 37 200 km COUNT 2 ANY",
            "GEORADIUS Sicily 15 37 200 km DESC",
            "GEORADIUS Sicily 15 37 200 km STORE dst",
            "ZRANGE dst 0 -1 WITHSCORES",
            "GEORADIUS Sicily 15 37 200 km STOREDIST dst2",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEORADIUS Sicily 15 37 200 km STORE dst STOREDIST dst2 COUNT 2",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEORADIUS Sicily 15 37 200 km STORE dst2 WITHDIST",
            "GEORADIUS Sicily 15 37 200 km STORE",
            "GEORADIUS Sicily 15 37 200 km FROMMEMBER x",
            "GEORADIUS Sicily 15 37 200 km BYRADIUS 1 km",
            "GEORADIUS nokey 15 37 200 km",
            "GEORADIUS nokey 15 37 200 km STORE dst2",
            "EXISTS dst2",
            "GEORADIUS nokey 15 37 x km",
            "GEORADIUS nokey 200 37 1 km",
            "GEORADIUS Sicily 15 37 1 yd",
            "GEORADIUS Sicily 15 37 -1 km",
            "GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC",
            "GEORADIUS_RO Sicily 15 37 200 km STORE dst",
            "GEORADIUS_RO Sicily 15 37 200 km STOREDIST dst",
            "GEORADIUSBYMEMBER Sicily Palermo 100 km WITHDIST",
            "GEORADIUSBYMEMBER Sicily Palermo 100 km WITHDIST ASC",
            "GEORADIUSBYMEMBER Sicily Palermo 150 km STORE dst2",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEORADIUSBYMEMBER Sicily Palermo 150 km STOREDIST dst2 DESC COUNT 3",
            "ZRANGE dst2 0 -1 WITHSCORES",
            "GEORADIUSBYMEMBER Sicily nope 100 km",
            "GEORADIUSBYMEMBER Sicily Palermo x km",
            "GEORADIUSBYMEMBER nokey nope x km",
            "GEORADIUSBYMEMBER nokey nope x km STORE dst2",
            "GEORADIUSBYMEMBER nokey nope x km FOO",
            "GEORADIUSBYMEMBER_RO Sicily Palermo 200 km WITHCOORD DESC",
            "GEORADIUSBYMEMBER_RO Sicily Palermo 200 km STORE dst",
            "GEOADD polar 10 84 a 20 84.5 b -170 84 c 15 80.5 d 15 83 e",
            "GEOSEARCH polar FROMLONLAT 15 84 BYRADIUS 300 km WITHDIST ASC",
            "GEOSEARCH polar FROMLONLAT 15 84 BYBOX 100 800 km WITHDIST ASC",
            "GEOSEARCH polar FROMLONLAT 15 84 BYRADIUS 5000 km WITHDIST ASC",
            "GEOADD anti 179.99 0.01 e -179.99 -0.01 w 179.5 0 e2",
            "GEOSEARCH anti FROMLONLAT 180 0 BYRADIUS 10 km WITHDIST ASC",
            "GEOSEARCH anti FROMLONLAT -180 0 BYBOX 120 10 km WITHDIST ASC",
            "GEODIST anti e w",
            "GEOHASH anti e w e2",
            "GEOADD south -70.65 -33.45 Santiago -58.38 -34.6 BuenosAires -43.2 -22.9 Rio 18.42 -33.92 CapeTown",
            "GEOSEARCH south FROMMEMBER Santiago BYBOX 3000 3000 km ASC WITHDIST",
            "GEOSEARCH south FROMLONLAT -60 -30 BYRADIUS 2000 km DESC WITHCOORD",
        };
        for (String line : lines) {
            s.add(List.of(line.split(" ")));
        }
        // a skiplist of 400 points on a grid around (10, 45), and a stored result too large for a listpack
        List<String> grid = new ArrayList<>(List.of("GEOADD", "big"));
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 20; j++) {
                grid.add(String.format(Locale.ROOT, "%.3f", 9 + i * 0.1));
                grid.add(String.format(Locale.ROOT, "%.3f", 44.5 + j * 0.05));
                grid.add("p" + i + "_" + j);
            }
        }
        s.add(grid);
        for (String line : new String[] {
            "OBJECT ENCODING big",
            "GEOSEARCH big FROMLONLAT 10 45 BYRADIUS 12 km ASC WITHDIST",
            "GEOSEARCH big FROMLONLAT 10 45 BYBOX 25 15 km DESC WITHDIST WITHHASH",
            "GEOSEARCH big FROMLONLAT 10 45 BYRADIUS 50 km COUNT 5 ANY",
            "GEOSEARCH big FROMLONLAT 10 45 BYRADIUS 50 km COUNT 5 ANY ASC WITHDIST",
            "GEOSEARCH big FROMMEMBER p0_0 BYRADIUS 30 km COUNT 4 WITHDIST",
            "GEOSEARCHSTORE dst big FROMLONLAT 10 45 BYRADIUS 80 km",
            "ZCARD dst",
            "OBJECT ENCODING dst",
            "ZRANGE dst 0 4 WITHSCORES",
            "GEOSEARCHSTORE dst big FROMLONLAT 10 45 BYRADIUS 80 km STOREDIST COUNT 130",
            "OBJECT ENCODING dst",
            "ZRANGE dst 125 -1 WITHSCORES",
            "GEOSEARCHSTORE dst big FROMLONLAT 10 45 BYRADIUS 80 km STOREDIST COUNT 128",
            "OBJECT ENCODING dst",
            "GEORADIUSBYMEMBER big p10_10 10 km STORE dst",
            "ZRANGE dst 0 -1 WITHSCORES",
            "GEORADIUS big 10 45 10 km STOREDIST dst",
            "ZRANGE dst 0 -1 WITHSCORES",
            "ZADD big 3471579339700058 zadded",
            "GEOPOS big zadded",
            "ZREM big p0_0",
            "GEOPOS big p0_0",
        }) {
            s.add(List.of(line.split(" ")));
        }
        return s;
    }

    /** On 2 shards, the sources and the destinations named for it are on different shards. */
    @Test
    void theStoresCrossShards() {
        assertNotEquals(owner("Sicily"), owner("dst2"));
        assertNotEquals(owner("str"), owner("dst"));
        assertNotEquals(owner("big"), owner("dst"));
        assertEquals(owner("Sicily"), owner("dst")); // and one of each on one shard
    }

    private static int owner(String key) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        return KeySlots.owner(b, 0, b.length, 2);
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2})
    void answersAsRedisByteForByte(int shards) throws Exception {
        try (RawClient c = new RawClient(server(shards).port())) {
            assertEquals(List.of(), differences(replies(c)));
        }
    }

    @Test
    void theRecordingIsRedisSOwn() throws Exception {
        assertEquals(List.of(), RecordedScript.withRedis(port -> {
            try (RawClient c = new RawClient(port)) {
                List<String> replies = replies(c);
                RecordedScript.record(replies);
                return differences(replies);
            }
        }));
    }

    /** The script in RESP2 then, after a FLUSHALL, in RESP3: each reply's bytes, escaped. */
    private static List<String> replies(RawClient c) throws IOException {
        List<String> replies = new ArrayList<>();
        c.call(List.of("FLUSHALL"));
        for (List<String> step : script()) {
            replies.add(escape(c.call(step)));
        }
        c.call(List.of("FLUSHALL"));
        c.call(List.of("HELLO", "3"));
        for (List<String> step : script()) {
            replies.add(escape(c.call(step)));
        }
        c.call(List.of("HELLO", "2"));
        c.call(List.of("FLUSHALL"));
        return replies;
    }

    /** The replies that differ from the recording: the script's steps twice, in RESP2 then in RESP3. */
    private static List<String> differences(List<String> actual) throws IOException {
        List<List<String>> steps = new ArrayList<>(script());
        steps.addAll(script());
        return new RecordedScript(RECORDING, steps).differences(actual);
    }

    private static String escape(byte[] reply) {
        return new String(reply, StandardCharsets.UTF_8).replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
    }

    /**
     * GEOADD is logged as the ZADD of its scores and a store across shards as the destination's value:
     * the same after a restart on 3 shards, and after a rewrite there, on 1.
     */
    @Test
    void pointsSurviveARestartWithAnotherShardCount(@TempDir Path dir) throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.EVERYSEC);
        List<String> keys = List.of("Sicily", "dst", "dst2");
        List<String> before = new ArrayList<>();
        try (KvTestServer kv = KvTestServer.start(2, DriverKind.AUTO, settings); RawClient c = new RawClient(kv.port())) {
            c.call(List.of("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
            c.call(List.of("GEOADD", "Sicily", "XX", "CH", "13.4", "38.1", "Palermo", "1", "1", "absent"));
            c.call(List.of("GEOSEARCHSTORE", "dst2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"));
            c.call(List.of("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst"));
            for (String k : keys) {
                before.add(escape(c.call(List.of("ZRANGE", k, "0", "-1", "WITHSCORES"))));
            }
            assertEquals("*4\\r\\n$7\\r\\nPalermo\\r\\n$16\\r\\n3479099937378871\\r\\n$7\\r\\nCatania\\r\\n$16\\r\\n3479447370796909\\r\\n",
                    before.get(0));
        }
        try (KvTestServer kv = KvTestServer.start(3, DriverKind.AUTO, settings); RawClient c = new RawClient(kv.port())) {
            for (int i = 0; i < keys.size(); i++) {
                assertEquals(before.get(i), escape(c.call(List.of("ZRANGE", keys.get(i), "0", "-1", "WITHSCORES"))), keys.get(i));
            }
            assertEquals("*1\\r\\n*2\\r\\n$20\\r\\n13.40000241994857788\\r\\n$20\\r\\n38.10000081174143105\\r\\n",
                    escape(c.call(List.of("GEOPOS", "Sicily", "Palermo"))));
            assertEquals(true, new String(c.call(List.of("BGREWRITEAOF")), StandardCharsets.UTF_8).startsWith("+Background"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (new String(c.call(List.of("INFO", "persistence")), StandardCharsets.UTF_8).contains("aof_rewrite_in_progress:1")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(new String(c.call(List.of("INFO", "persistence")), StandardCharsets.UTF_8).contains("aof_rewrite_in_progress:0"),
                    "the rewrite did not end within 20 s");
        }
        try (KvTestServer kv = KvTestServer.start(1, DriverKind.AUTO, settings); RawClient c = new RawClient(kv.port())) {
            for (int i = 0; i < keys.size(); i++) {
                assertEquals(before.get(i), escape(c.call(List.of("ZRANGE", keys.get(i), "0", "-1", "WITHSCORES"))), keys.get(i));
            }
        }
    }

    /**
     * Inside MULTI on 2 shards, as the sorted-set commands of several keys: GEOADD and the stores run in
     * the transaction, whether their keys share a shard or not (a store across shards as rounds of it).
     */
    @Test
    void insideMultiAsTheOtherStores() throws Exception {
        try (RespClient c = server(2).client()) {
            c.call("FLUSHALL");
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
            assertEquals("QUEUED", c.call("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "100", "km"));
            assertEquals("QUEUED", c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst2"));
            assertEquals("QUEUED", c.call("GEOHASH", "Sicily", "Palermo"));
            List<?> replies = (List<?>) c.call("EXEC");
            assertEquals(2L, replies.get(0));
            assertEquals(1L, replies.get(1));
            assertEquals(2L, replies.get(2), "across shards, in the transaction");
            assertEquals(List.of("sqc8b49rny0"), replies.get(3));
            assertEquals(List.of("Catania"), c.call("ZRANGE", "dst", "0", "-1"));
            assertEquals(List.of("Palermo", "Catania"), c.call("ZRANGE", "dst2", "0", "-1"));
            assertEquals(2L, c.call("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst2")); // outside MULTI too
            c.call("FLUSHALL");
        }
    }

    /** A client that returns each reply's bytes as they came, so replies are compared byte for byte. */
    static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        RawClient(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        byte[] call(List<String> args) throws IOException {
            out.write(RespClient.encode(args.toArray(String[]::new)));
            out.flush();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            readReply(reply);
            return reply.toByteArray();
        }

        private void readReply(ByteArrayOutputStream reply) throws IOException {
            int type = in.read();
            if (type < 0) {
                throw new IOException("the server closed the connection");
            }
            reply.write(type);
            String line = line(reply);
            switch (type) {
                case '$', '=' -> {
                    int length = Integer.parseInt(line);
                    if (length >= 0) {
                        reply.write(in.readNBytes(length + 2));
                    }
                }
                case '*', '~', '>' -> {
                    for (int i = Integer.parseInt(line); i > 0; i--) {
                        readReply(reply);
                    }
                }
                case '%' -> {
                    for (int i = 2 * Integer.parseInt(line); i > 0; i--) {
                        readReply(reply);
                    }
                }
                default -> { }
            }
        }

        private String line(ByteArrayOutputStream reply) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("the server closed the connection");
                }
                line.append((char) c);
            }
            in.read(); // '\n'
            reply.writeBytes(line.toString().getBytes(StandardCharsets.ISO_8859_1));
            reply.writeBytes(new byte[] {'\r', '\n'});
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
