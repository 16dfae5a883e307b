package dev.atoll.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Cluster-sharded entities over nodes in this JVM: keys move when a node joins or leaves, nothing lost or duplicated. */
class ClusterShardedTest {
    private static final int KEYS = 40;

    /** One numbered message for an entity. */
    record Hit(long seq) {
    }

    private TestCluster cluster;
    /** What every entity received, by key: the sequence numbers, and where (node name). */
    private final Map<String, List<Long>> received = new ConcurrentHashMap<>();
    private final Map<String, String> lastNode = new ConcurrentHashMap<>();
    private final AtomicLong deliveries = new AtomicLong();
    private final List<ClusterSharded<Hit>> types = new ArrayList<>();

    /** Records each message and the node it ran on. */
    private final class Recorder implements Entity<Hit> {
        private final String key;
        private final String node;

        Recorder(String key, String node) {
            this.key = key;
            this.node = node;
        }

        @Override
        public void receive(Hit hit) {
            received.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(hit.seq());
            lastNode.put(key, node);
            deliveries.incrementAndGet();
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new TestCluster("/atoll/sharded", CborSerializer.of(Hit.class));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private ClusterSharded<Hit> counters(ClusterNode node) {
        String name = node.membership().self().name();
        ClusterSharded<Hit> type = ClusterSharded.start(node, "counter", key -> new Recorder(key, name));
        types.add(type);
        return type;
    }

    private static String key(long seq) {
        return "key-" + (seq % KEYS);
    }

    private long send(ClusterSharded<Hit> from, long firstSeq, int count) {
        for (long seq = firstSeq; seq < firstSeq + count; seq++) {
            from.tell(key(seq), new Hit(seq));
        }
        return firstSeq + count;
    }

    /** Every message 0..sent-1 arrived exactly once, at its key. */
    private void assertEachOnce(long sent) throws InterruptedException {
        TestCluster.await(() -> deliveries.get() >= sent, sent + " deliveries (" + deliveries.get() + " so far)");
        Set<Long> seen = new java.util.HashSet<>();
        for (Map.Entry<String, List<Long>> e : received.entrySet()) {
            synchronized (e.getValue()) {
                for (long seq : e.getValue()) {
                    assertEquals(key(seq), e.getKey(), "message " + seq + " at the wrong key");
                    assertTrue(seen.add(seq), "message " + seq + " twice");
                }
            }
        }
        for (long seq = 0; seq < sent; seq++) {
            if (!seen.contains(seq)) {
                fail("message " + seq + " lost");
            }
        }
        assertEquals(sent, deliveries.get(), "deliveries");
    }

    /** Every key's last message ran on the node that owns it in {@code node}'s view. */
    private void assertAtOwners(ClusterNode node, ClusterSharded<Hit> type) {
        for (int k = 0; k < KEYS; k++) {
            String key = "key-" + k;
            assertEquals(type.ownerOf(key).member().name(), lastNode.get(key), "where " + key + " ran");
        }
    }

    @Test
    void entitiesMoveToAJoiningNodeAndBackWhenItLeavesWithoutLossOrDuplication() throws Exception {
        ClusterNode a = cluster.node("a");
        ClusterNode b = cluster.node("b");
        ClusterNode c = cluster.node("c");
        TestCluster.awaitMembers(3, a, b, c);
        ClusterSharded<Hit> fromA = counters(a);
        counters(b);
        counters(c);
        long seq = send(fromA, 0, 400);
        assertEachOnce(seq);
        assertAtOwners(a, fromA);

        // d joins while a sends: the keys d wins move there; a message sent with an old view is forwarded.
        Thread sender = Thread.ofPlatform().start(() -> send(fromA, 400, 3_000));
        ClusterNode d = cluster.node("d");
        ClusterSharded<Hit> onD = counters(d);
        sender.join(TestCluster.WAIT_SECONDS * 1000);
        seq = 3_400;
        TestCluster.awaitMembers(4, a, b, c, d);
        seq = send(fromA, seq, 400);
        assertEachOnce(seq);
        assertAtOwners(a, fromA);
        assertTrue(onD.entities() > 0, "entities started on d");
        long stoppedBefore = types.stream().filter(t -> t != onD).mapToLong(ClusterSharded::stopped).sum();
        assertEquals(onD.entities(), stoppedBefore, "each key d took was stopped on its old node");

        // d leaves cleanly (nothing in flight to it): its keys start again where they belong now.
        cluster.leave(d);
        TestCluster.awaitMembers(3, a, b, c);
        seq = send(fromA, seq, 400);
        assertEachOnce(seq);
        assertAtOwners(a, fromA);
        assertEquals(0, a.deadLetters() + b.deadLetters() + c.deadLetters(), "dead letters");
    }

    @Test
    void rendezvousMovesOnlyTheKeysOfTheNodeThatChanged() {
        List<Member> three = List.of(new Member("a", "h", 1, 2, 1), new Member("b", "h", 2, 2, 2), new Member("c", "h", 3, 4, 3));
        List<Member> two = List.of(three.get(0), three.get(2));
        int moved = 0;
        for (int k = 0; k < 1_000; k++) {
            String key = "k" + k;
            ClusterSharded.Owner before = ClusterSharded.ownerOf(key, three);
            ClusterSharded.Owner after = ClusterSharded.ownerOf(key, two);
            if (!before.member().name().equals("b")) {
                assertEquals(before, after, key + " moved though its node stayed");
            } else {
                moved++;
            }
            assertTrue(before.shard() < before.member().shards());
        }
        assertTrue(moved > 200 && moved < 470, "about a third moved: " + moved);
    }
}
