package dev.atoll.examples.kv;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.KeyValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real client library against the kv server (issue 18): Jedis, from Maven Central, with its stock pool
 * settings, runs a scenario of every command family — strings, keys, hashes, lists, sets, sorted sets,
 * blocking pops, transactions, pipelining, pub/sub — against 1 and 2 shards, in RESP2 and in RESP3 (Jedis
 * sends {@code HELLO 3} when its protocol is RESP3). Keys are chosen on both shards where it matters.
 */
class KvRealClientsTest extends KvOneAndTwoShards {
    private static final int WAIT_SECONDS = 10;

    static Stream<Arguments> servers() {
        return Stream.of(Arguments.of(1, RedisProtocol.RESP2), Arguments.of(2, RedisProtocol.RESP2),
                Arguments.of(1, RedisProtocol.RESP3), Arguments.of(2, RedisProtocol.RESP3));
    }

    /** A Jedis pool (stock settings) of the server of {@code shards} shards, speaking {@code protocol}; the keys flushed. */
    private static JedisPool pool(int shards, RedisProtocol protocol) {
        KvTestServer server = server(shards);
        JedisPool pool = new JedisPool(new HostAndPort(server.host, server.port()),
                DefaultJedisClientConfig.builder().protocol(protocol).build());
        try (Jedis jedis = pool.getResource()) {
            assertEquals("OK", jedis.flushAll());
        }
        return pool;
    }

    /** A key named {@code prefix} and a number that shard {@code shard} of {@code shards} owns. */
    private static String on(int shard, int shards, String prefix) {
        return KvSetsTest.keyOn(shard, shards, prefix);
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void strings(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            assertEquals("OK", jedis.set("s", "hello"));
            assertNull(jedis.set("s", "other", SetParams.setParams().nx()));
            assertEquals("OK", jedis.set("s", "world", SetParams.setParams().xx().ex(100)));
            assertTrue(jedis.ttl("s") > 90);
            assertEquals("world", jedis.setGet("s", "again"));
            assertEquals("again", jedis.get("s"));
            assertEquals(10, jedis.append("s", " more"));
            assertEquals("gain m", jedis.getrange("s", 1, 6));
            assertEquals(10, jedis.setrange("s", 0, "A"));
            assertEquals("Again more", jedis.get("s"));
            assertEquals(10, jedis.strlen("s"));
            assertEquals("OK", jedis.setex("x", 50, "v"));
            assertTrue(jedis.pttl("x") > 40_000);
            assertEquals(1, jedis.incr("n"));
            assertEquals(11, jedis.incrBy("n", 10));
            assertEquals(9, jedis.decrBy("n", 2));
            assertEquals(10.5, jedis.incrByFloat("n", 1.5));
            assertEquals("10.5", jedis.getDel("n"));
            assertFalse(jedis.exists("n"));
            String a = on(0, shards, "ma");
            String b = on(shards - 1, shards, "mb");
            assertEquals("OK", jedis.mset(a, "1", b, "2"));
            assertEquals(List.of("1", "2"), jedis.mget(a, b));
            assertEquals(0, jedis.msetnx(a, "x", "fresh", "y"));
            assertNull(jedis.get("fresh"));
            JedisDataException notInteger = assertThrows(JedisDataException.class, () -> jedis.incr("s"));
            assertEquals("ERR value is not an integer or out of range", notInteger.getMessage());
            assertEquals("OK", jedis.set("b", "\u0000"));
            assertEquals(false, jedis.setbit("b", 7, true));
            assertEquals(1, jedis.bitcount("b"));
            assertEquals("raw", jedis.objectEncoding("s"), "changed in place, as in Redis");
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void keys(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            String from = on(0, shards, "from");
            String to = on(shards - 1, shards, "to");
            jedis.set(from, "v");
            assertEquals(1, jedis.expire(from, 100));
            assertTrue(jedis.ttl(from) > 90);
            assertEquals("OK", jedis.rename(from, to));
            assertFalse(jedis.exists(from));
            assertEquals("v", jedis.get(to));
            assertTrue(jedis.ttl(to) > 90, "RENAME keeps the expiry, also across shards");
            assertEquals(1, jedis.persist(to));
            assertEquals(-1, jedis.ttl(to));
            assertEquals(-2, jedis.ttl(from));
            assertTrue(jedis.copy(to, from, false));
            assertEquals("string", jedis.type(from));
            assertEquals(2, jedis.del(from, to));

            Set<String> written = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                written.add("key:" + i);
            }
            jedis.mset(written.stream().flatMap(k -> Stream.of(k, "v")).toArray(String[]::new));
            jedis.hset("other", "f", "v");
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("key:*").count(50));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                assertTrue(++calls < 1000, "SCAN ends");
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertEquals(written, seen, "SCAN's iteration is complete");
            assertEquals(501, jedis.dbSize());
            assertEquals(Set.of("other"), Set.copyOf(jedis.keys("oth*")));
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void hashes(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("name", "atoll");
            fields.put("cores", "2");
            assertEquals(2, jedis.hset("h", fields));
            assertEquals("atoll", jedis.hget("h", "name"));
            assertEquals(fields, jedis.hgetAll("h"));
            assertEquals(6, jedis.hincrBy("h", "cores", 4));
            assertEquals(0, jedis.hsetnx("h", "name", "x"));
            assertEquals(List.of("atoll", "6"), jedis.hvals("h"));
            assertEquals(1, jedis.hdel("h", "name"));
            assertEquals(1, jedis.hlen("h"));
            assertTrue(jedis.hexists("h", "cores"));
            assertEquals("listpack", jedis.objectEncoding("h"));
            assertEquals(1, jedis.hscan("h", ScanParams.SCAN_POINTER_START).getResult().size());
            assertThrows(JedisDataException.class, () -> jedis.get("h"), "WRONGTYPE");
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void lists(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            String source = on(0, shards, "src");
            String target = on(shards - 1, shards, "dst");
            assertEquals(3, jedis.rpush(source, "a", "b", "c"));
            assertEquals(4, jedis.lpush(source, "z"));
            assertEquals(List.of("z", "a", "b", "c"), jedis.lrange(source, 0, -1));
            assertEquals("a", jedis.lindex(source, 1));
            assertEquals("c", jedis.lmove(source, target, ListDirection.RIGHT, ListDirection.LEFT));
            assertEquals(List.of("c"), jedis.lrange(target, 0, -1));
            assertEquals("z", jedis.lpop(source));
            assertEquals(List.of("b", "a"), jedis.rpop(source, 5));
            assertFalse(jedis.exists(source), "an emptied list is no key");
            assertEquals(1, jedis.llen(target));
            assertEquals("quicklist", jedis.objectEncoding(target));
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void sets(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            String a = on(0, shards, "sa");
            String b = on(shards - 1, shards, "sb");
            assertEquals(3, jedis.sadd(a, "1", "2", "3"));
            assertEquals(2, jedis.sadd(b, "3", "x"));
            assertEquals("intset", jedis.objectEncoding(a));
            assertEquals(Set.of("3"), jedis.sinter(a, b));
            assertEquals(Set.of("1", "2", "3", "x"), jedis.sunion(a, b));
            assertEquals(4, jedis.sunionstore("u", a, b));
            assertEquals(Set.of("1", "2"), jedis.sdiff(a, b));
            assertTrue(jedis.sismember(a, "2"));
            assertEquals(1, jedis.smove(a, b, "1"));
            assertEquals(3, jedis.scard(b));
            assertEquals(List.of(true, false), jedis.smismember(a, "2", "1"));
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void sortedSets(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            String a = on(0, shards, "za");
            String b = on(shards - 1, shards, "zb");
            String dst = on(0, shards, "zdst");
            assertEquals(3, jedis.zadd(a, Map.of("one", 1.0, "two", 2.0, "three", 3.0)));
            assertEquals(2, jedis.zadd(b, Map.of("two", 20.0, "four", 0.5)));
            assertEquals(List.of(new Tuple("one", 1.0), new Tuple("two", 2.0), new Tuple("three", 3.0)),
                    jedis.zrangeWithScores(a, 0, -1));
            assertEquals(2.5, jedis.zincrby(a, 1.5, "one"));
            assertEquals(2.0, jedis.zscore(a, "two"));
            assertEquals(1, jedis.zrank(a, "one"));
            assertEquals(4, jedis.zunionstore(dst, a, b));
            assertEquals(List.of(new Tuple("four", 0.5), new Tuple("one", 2.5), new Tuple("three", 3.0),
                    new Tuple("two", 22.0)), jedis.zrangeWithScores(dst, 0, -1));
            assertEquals(List.of("two", "three"), jedis.zrevrange(dst, 0, 1));
            assertEquals(new Tuple("four", 0.5), jedis.zpopmin(dst));
            assertEquals(2, jedis.zcount(dst, 2, 3));
            assertEquals("listpack", jedis.objectEncoding(dst));
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void blockingPopWokenByAnotherConnection(int shards, RedisProtocol protocol) throws Exception {
        try (JedisPool pool = pool(shards, protocol); Jedis waiter = pool.getResource(); Jedis pusher = pool.getResource()) {
            for (int shard = 0; shard < shards; shard++) {
                String key = on(shard, shards, "queue");
                CompletableFuture<KeyValue<String, String>> popped =
                        CompletableFuture.supplyAsync(() -> waiter.blpop((double) WAIT_SECONDS, key), KvTestServer.THREADS);
                awaitBlocked(pusher, 1);
                assertEquals(1, pusher.lpush(key, "job" + shard));
                KeyValue<String, String> got = popped.get(WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals(key, got.getKey());
                assertEquals("job" + shard, got.getValue());
            }
            assertNull(waiter.blpop(0.05, "never"), "a timeout answers null");
        }
    }

    /** Bounded: until INFO clients counts {@code count} blocked clients. */
    private static void awaitBlocked(Jedis jedis, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!jedis.info("clients").contains("blocked_clients:" + count + "\r\n")) {
            assertTrue(System.nanoTime() < deadline, "the client blocks within " + WAIT_SECONDS + " s");
            Thread.sleep(5);
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void transactions(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource(); Jedis other = pool.getResource()) {
            String a = on(0, shards, "ta");
            String b = on(shards - 1, shards, "tb");
            Transaction tx = jedis.multi();
            Response<String> set = tx.set(a, "1");
            Response<Long> incr = tx.incr(a);
            Response<Long> push = tx.rpush(b, "x", "y");
            Response<List<String>> range = tx.lrange(b, 0, -1);
            List<Object> results = tx.exec();
            assertEquals(4, results.size());
            assertEquals("OK", set.get());
            assertEquals(2, incr.get());
            assertEquals(2, push.get());
            assertEquals(List.of("x", "y"), range.get());

            jedis.watch(a);
            assertEquals("OK", other.set(a, "changed"));
            Transaction aborted = jedis.multi();
            aborted.set(a, "mine");
            aborted.set(b, "mine");
            assertNull(aborted.exec(), "a watched key changed: EXEC aborts");
            assertEquals("changed", jedis.get(a));
            assertEquals("list", jedis.type(b));

            Transaction discarded = jedis.multi();
            discarded.set(a, "dropped");
            assertEquals("OK", discarded.discard());
            assertEquals("changed", jedis.get(a));
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void pipelining(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<Long>> increments = new ArrayList<>();
            List<Response<String>> gets = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                pipeline.set("p" + i, Integer.toString(i));
                increments.add(pipeline.incr("p" + i));
                gets.add(pipeline.get("p" + i));
            }
            Response<Long> count = pipeline.dbSize();
            pipeline.sync();
            for (int i = 0; i < 2000; i++) {
                assertEquals(i + 1, increments.get(i).get(), "reply " + i + " in order");
                assertEquals(Integer.toString(i + 1), gets.get(i).get());
            }
            assertEquals(2000, count.get());
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void pubSub(int shards, RedisProtocol protocol) throws Exception {
        try (JedisPool pool = pool(shards, protocol); Jedis subscriber = pool.getResource();
             Jedis publisher = pool.getResource()) {
            int messages = 200;
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            CountDownLatch subscribed = new CountDownLatch(2);
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    subscribed.countDown();
                }

                @Override
                public void onPSubscribe(String pattern, int subscribedChannels) {
                    subscribed.countDown();
                }

                @Override
                public void onMessage(String channel, String message) {
                    received.add(channel + ":" + message);
                }

                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    received.add(pattern + ">" + channel + ":" + message);
                }
            };
            CompletableFuture<Void> loop = CompletableFuture.runAsync(
                    () -> subscriber.subscribe(listener, "news"), KvTestServer.THREADS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!listener.isSubscribed()) {
                assertTrue(System.nanoTime() < deadline, "subscribed within " + WAIT_SECONDS + " s");
                Thread.sleep(5);
            }
            listener.psubscribe("ev.*");
            assertTrue(subscribed.await(WAIT_SECONDS, TimeUnit.SECONDS), "SUBSCRIBE and PSUBSCRIBE confirmed");
            for (int i = 0; i < messages; i++) {
                assertEquals(1, publisher.publish("news", "m" + i));
                assertEquals(1, publisher.publish("ev.x", "e" + i));
            }
            assertEquals(0, publisher.publish("nobody", "lost"));
            for (int i = 0; i < messages; i++) {
                assertEquals("news:m" + i, received.poll(WAIT_SECONDS, TimeUnit.SECONDS), "message " + i + " in order");
                assertEquals("ev.*>ev.x:e" + i, received.poll(WAIT_SECONDS, TimeUnit.SECONDS));
            }
            assertEquals(Map.of("news", 1L), publisher.pubsubNumSub("news"));
            listener.unsubscribe();
            listener.punsubscribe();
            loop.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, publisher.publish("news", "after"));
            assertNull(received.poll());
        }
    }

    @ParameterizedTest(name = "{0} shard(s), {1}")
    @MethodSource("servers")
    void connectionAndServer(int shards, RedisProtocol protocol) {
        try (JedisPool pool = pool(shards, protocol); Jedis jedis = pool.getResource()) {
            assertEquals("PONG", jedis.ping());
            assertEquals("hi", jedis.echo("hi"));
            assertTrue(jedis.info().contains("redis_version:"));
            assertTrue(jedis.info("server").startsWith("# Server"));
            assertEquals(2, jedis.time().size());
            assertEquals("OK", jedis.clientSetname("app"));
            assertEquals("app", jedis.clientGetname());
            assertTrue(jedis.clientList().contains(" name=app "), jedis.clientList());
            assertNotEquals(0, jedis.clientId());
            IntStream.range(0, 10).forEach(i -> jedis.set("k" + i, "v"));
            assertEquals(10, jedis.dbSize());
            assertEquals("OK", jedis.flushDB());
            assertEquals(0, jedis.dbSize());
        }
    }
}
