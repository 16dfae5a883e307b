package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.atoll.examples.kv.KvBatchingTest.homeShard;
import static dev.atoll.examples.kv.KvListsTest.keyOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocking pops: a client blocked on a key another shard owns is woken by a push from a
 * connection on a third shard; waiters are served first blocked first; timeouts (fractional) end a
 * wait with Redis's null; a waiter whose connection closes loses no element; a stress of consumers
 * blocked on keys of three shards while producers push, where every element arrives exactly once
 * (it fails, timing out, when the wake-up is dropped).
 */
class KvBlockingTest {
    private static final Pattern BLOCKED = Pattern.compile("blocked_clients:(\\d+)");

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    static long blocked(RespClient c) throws Exception {
        Matcher m = BLOCKED.matcher((String) c.call("INFO", "clients"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    /** Waits (bounded: 10 s) until {@code n} clients are blocked, registered with their keys' owners. */
    static void awaitBlocked(RespClient c, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blocked(c) != n) {
            assertTrue(System.nanoTime() < deadline, "never " + n + " blocked clients: " + blocked(c));
            Thread.sleep(5);
        }
    }

    /** Waits (bounded: 10 s) until at least one client is blocked. */
    private static void awaitSomeBlocked(RespClient c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blocked(c) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    /** A client whose connection lives on shard {@code shard} (the kernel spreads them: tries up to 64). */
    static RespClient clientOn(KvTestServer server, int shard, List<RespClient> spare) throws Exception {
        for (int i = 0; i < 64; i++) {
            RespClient c = server.client();
            if (homeShard(c) == shard) {
                return c;
            }
            spare.add(c);
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    static Future<Object> readLater(RespClient c) {
        FutureTask<Object> task = new FutureTask<>(c::read);
        Thread.ofPlatform().daemon().start(task);
        return task;
    }

    @Test
    void aPushOnAnotherShardWakesTheWaitersFirstBlockedFirstServed() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = server(3)) {
            RespClient first = clientOn(server, 0, spare);
            RespClient second = clientOn(server, 0, spare);
            RespClient third = clientOn(server, 1, spare);
            RespClient pusher = clientOn(server, 2, spare);
            String key = keyOn(1, 3, "list"); // owned by shard 1: the first two wait on another shard than the key's
            String move = keyOn(2, 3, "dest");
            first.send("BLPOP", "nokey", key, "0");
            awaitBlocked(pusher, 1);
            second.send("BLMOVE", key, move, "RIGHT", "LEFT", "0");
            awaitBlocked(pusher, 2);
            third.send("BRPOP", key, "0");
            awaitBlocked(pusher, 3);
            assertFalse(first.replied() || second.replied() || third.replied());
            Future<Object> one = readLater(first);
            Future<Object> two = readLater(second);
            Future<Object> three = readLater(third);
            assertEquals(4L, pusher.call("RPUSH", key, "a", "b", "c", "d")); // the push's reply: the length before serving
            assertEquals(List.of(key, "a"), one.get(10, TimeUnit.SECONDS)); // BLPOP: head
            assertEquals("d", two.get(10, TimeUnit.SECONDS));                 // BLMOVE RIGHT: tail, onto another shard's key
            assertEquals(List.of(key, "c"), three.get(10, TimeUnit.SECONDS)); // BRPOP: tail
            assertEquals(List.of("b"), pusher.call("LRANGE", key, "0", "-1"));
            assertEquals(List.of("d"), pusher.call("LRANGE", move, "0", "-1"));
            assertEquals(0L, blocked(pusher));
            assertEquals("PONG", first.call("PING")); // answering again
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    @Test
    void aZaddOnAnotherShardWakesTheSortedSetPops() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = server(3)) {
            RespClient min = clientOn(server, 0, spare);
            RespClient max = clientOn(server, 0, spare);
            RespClient mpop = clientOn(server, 2, spare);
            RespClient adder = clientOn(server, 2, spare);
            String key = keyOn(1, 3, "zset"); // owned by shard 1: every waiter and the adder are elsewhere
            String other = keyOn(0, 3, "zother");
            min.send("BZPOPMIN", "nokey", key, "0");
            awaitBlocked(adder, 1);
            max.send("BZPOPMAX", key, "0");
            awaitBlocked(adder, 2);
            mpop.send("BZMPOP", "0", "2", other, key, "MIN", "COUNT", "5");
            awaitBlocked(adder, 3);
            Future<Object> one = readLater(min);
            Future<Object> two = readLater(max);
            Future<Object> three = readLater(mpop);
            assertEquals(4L, adder.call("ZADD", key, "1", "a", "2", "b", "3", "c", "4", "d"));
            assertEquals(List.of(key, "a", "1"), one.get(10, TimeUnit.SECONDS));   // the lowest score, first blocked first served
            assertEquals(List.of(key, "d", "4"), two.get(10, TimeUnit.SECONDS));   // the highest
            assertEquals(List.of(key, List.of(List.of("b", "2"), List.of("c", "3"))), three.get(10, TimeUnit.SECONDS));
            assertEquals(0L, adder.call("EXISTS", key), "emptied: no key");
            assertEquals(0L, blocked(adder));
            long start = System.nanoTime();
            assertNull(min.call("BZPOPMIN", key, "0.2"), "a timeout answers a null array");
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190));
            adder.call("SET", other, "string");
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), max.call("BZPOPMAX", other, key, "0"));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    /**
     * CLIENT UNBLOCK from a connection of another shard ends a blocked command as its timeout would (nil), or with
     * -UNBLOCKED; it answers 1, and 0 for a connection that is not blocked; the key's push then serves no one.
     */
    @Test
    void clientUnblockEndsABlockedCommandFromAnotherShard() throws Exception {
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = server(2)) {
            RespClient waiter = clientOn(server, 0, spare);
            RespClient admin = clientOn(server, 1, spare);
            long id = (Long) waiter.call("CLIENT", "ID");
            String key = keyOn(1, 2, "list");
            assertEquals(0L, admin.call("CLIENT", "UNBLOCK", Long.toString(id)), "not blocked");
            waiter.send("BLPOP", key, "0");
            awaitBlocked(admin, 1);
            assertEquals(1L, admin.call("CLIENT", "UNBLOCK", Long.toString(id)));
            assertNull(waiter.read());
            awaitBlocked(admin, 0);
            waiter.send("BZPOPMIN", key + "z", "0");
            awaitBlocked(admin, 1);
            assertEquals(1L, admin.call("CLIENT", "UNBLOCK", Long.toString(id), "ERROR"));
            assertEquals(new RespClient.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK"), waiter.read());
            admin.call("RPUSH", key, "x");
            assertEquals(List.of("x"), admin.call("LRANGE", key, "0", "-1"), "no waiter left on the key");
            assertEquals(new RespClient.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
                    admin.call("CLIENT", "UNBLOCK", Long.toString(id), "LATER"));
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    @Test
    void aRenameOrCopyOntoTheKeyServesItsWaiter() throws Exception {
        try (KvTestServer server = server(2); RespClient waiter = server.client(); RespClient c = server.client()) {
            String key = keyOn(1, 2, "k");
            for (String source : new String[] {keyOn(0, 2, "src"), keyOn(1, 2, "src")}) { // across shards, then on one
                waiter.send("BLPOP", key, "0");
                awaitBlocked(c, 1);
                c.call("RPUSH", source, "x", "y");
                assertEquals("OK", c.call("RENAME", source, key));
                assertEquals(List.of(key, "x"), waiter.read());
                assertEquals(List.of("y"), c.call("LRANGE", key, "0", "-1"));
                c.call("DEL", key);
            }
        }
    }

    @Test
    void aTimeoutAnswersNullAndCommandsPipelinedBehindWait() throws Exception {
        try (KvTestServer server = server(2); RespClient c = server.client(); RespClient resp3 = server.client()) {
            long start = System.nanoTime();
            c.send("BLPOP", keyOn(1, 2, "k"), "0.3");
            c.send("PING");
            assertFalse(c.replied());
            assertNull(c.read());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(290), "timed out early");
            assertEquals("PONG", c.read());
            resp3.call("HELLO", "3");
            assertEquals(RespClient.RESP3_NULL, resp3.call("BLMPOP", "0.05", "2", keyOn(0, 2, "k"), keyOn(1, 2, "k"), "LEFT"));
            assertNull(c.call("BRPOPLPUSH", keyOn(0, 2, "k"), keyOn(1, 2, "k"), "0.05"));
            assertEquals(0L, blocked(c));
        }
    }

    @Test
    void aBlockedMoveOntoAKeyThatBecameAnotherTypeLeavesTheElement() throws Exception {
        try (KvTestServer server = server(2); RespClient waiter = server.client(); RespClient c = server.client()) {
            String source = keyOn(0, 2, "src");
            String target = keyOn(1, 2, "dst");
            waiter.send("BLMOVE", source, target, "LEFT", "LEFT", "0");
            awaitBlocked(c, 1);
            c.call("SET", target, "string");
            c.call("RPUSH", source, "x", "y");
            assertEquals(new RespClient.Error(KvShard.WRONGTYPE), waiter.read()); // as Redis 7.0 answers a served BLMOVE
            assertEquals(List.of("x", "y"), c.call("LRANGE", source, "0", "-1"));
        }
    }

    @Test
    void aWaiterWhoseConnectionClosesLosesNoElement() throws Exception {
        try (KvTestServer server = server(2); RespClient pusher = server.client()) {
            for (int i = 0; i < 40; i++) { // closed before the push: it is unregistered, the element stays
                String key = keyOn(i % 2, 2, "closing" + i + "-");
                RespClient waiter = server.client();
                waiter.send("BLPOP", key, "0");
                awaitBlocked(pusher, 1);
                waiter.close();
                awaitBlocked(pusher, 0);
                assertEquals(1L, pusher.call("RPUSH", key, "e" + i));
                assertEquals(1L, pusher.call("LLEN", key));
            }
        }
    }

    /**
     * The harder case: the owner took the element for the waiter (claimed it, popped, logged) and the
     * connection closes while the element travels home. The owner's log is held (appendfsync always:
     * the result leaves only once synced), so the close surely comes first; the element must go back.
     */
    @Test
    void anElementTakenForAWaiterThatClosedGoesBack() throws Exception {
        Path dir = Files.createTempDirectory("kv-blocking");
        MemoryDisk disk = new MemoryDisk(Duration.ZERO, Duration.ZERO);
        KvSettings settings = new KvSettings(true, KvSettings.FsyncPolicy.ALWAYS, dir, 64L << 20, 100, 16L << 20,
                KvTestServer.INPUT, KvTestServer.OUTPUT, 10_000, Duration.ZERO, "", true);
        List<RespClient> spare = new ArrayList<>();
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings, disk, "")) {
            RespClient waiter = clientOn(server, 0, spare);
            RespClient pusher = clientOn(server, 0, spare);
            String key = keyOn(1, 2, "taken");
            assertEquals(2L, pusher.call("RPUSH", key, "x", "y"));
            assertEquals(List.of("x", "y"), pusher.call("LPOP", key, "2")); // the key is gone, its shard's log written
            waiter.send("BLPOP", key, "0");
            awaitBlocked(pusher, 1);
            disk.hold("appendonly-1-of-2.1.incr.aof");
            pusher.send("RPUSH", key, "a", "b"); // served at once on shard 1: "a" taken for the waiter, held by the log
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (disk.heldWrites() == 0) {
                assertTrue(System.nanoTime() < deadline, "the push was never logged");
                Thread.sleep(5);
            }
            waiter.shutdownOutput(); // the peer's end: the server closes a blocked client at once
            assertTrue(waiter.closedByServer()); // closed on its shard while "a" waits on shard 1's log
            disk.release(null);
            assertEquals(2L, pusher.read());
            assertEquals(List.of("a", "b"), pusher.call("LRANGE", key, "0", "-1")); // "a" came back, at its end
        } finally {
            for (RespClient c : spare) {
                c.close();
            }
        }
    }

    @Test
    void consumersOnThreeShardsReceiveEveryElementExactlyOnce() throws Exception {
        int elements = 600;
        try (KvTestServer server = server(3); RespClient check = server.client()) {
            String[] keys = {keyOn(0, 3, "q"), keyOn(1, 3, "q"), keyOn(2, 3, "q")};
            ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
            AtomicInteger left = new AtomicInteger(elements);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                boolean move = t == 3; // one consumer moves to its own list, through the mesh
                String own = keyOn(t % 3, 3, "own" + t);
                threads.add(Thread.ofPlatform().start(() -> {
                    try (RespClient c = server.client()) {
                        while (left.get() > 0 && failures.isEmpty()) {
                            Object reply = move ? c.call("BLMOVE", keys[1], own, "LEFT", "RIGHT", "0.5")
                                    : c.call("BLPOP", keys[0], keys[1], keys[2], "5");
                            if (reply == null) {
                                if (!move && left.get() > 0) {
                                    failures.add(new AssertionError("a waiter timed out with " + left.get() + " to come"));
                                    return;
                                }
                                continue;
                            }
                            String element = move ? (String) reply : (String) ((List<?>) reply).get(1);
                            if (element.equals("end")) {
                                return;
                            }
                            received.add(element);
                            left.decrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (int p = 0; p < 2; p++) {
                int producer = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (RespClient c = server.client()) {
                        for (int i = producer; i < elements; i += 2) {
                            if (i % 4 < 2) {
                                awaitSomeBlocked(c); // then this push must wake one: a dropped wake times out a consumer
                            }
                            c.call(i % 3 == 0 ? "LPUSH" : "RPUSH", keys[i % 3], "e" + i);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads.subList(4, 6)) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(t.isAlive(), "a producer is stuck");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (left.get() > 0 && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            check.call("RPUSH", keys[0], "end", "end", "end"); // wakes the consumers still blocked: they stop
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(t.isAlive(), "a client is stuck");
            }
            assertEquals(List.of(), failures);
            List<String> sorted = new ArrayList<>(received);
            Collections.sort(sorted);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < elements; i++) {
                expected.add("e" + i);
            }
            Collections.sort(expected);
            assertEquals(expected, sorted); // none lost, none twice
            assertEquals(0L, check.call("LLEN", keys[1]));
            assertEquals(0L, check.call("LLEN", keys[2]));
        }
    }
}
