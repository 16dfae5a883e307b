package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sorted set's skip list against a model (a TreeSet in the same order): links both ways,
 * spans (ranks both ways), the score each link keeps of the node it leads to, nodes of every height
 * (inline levels and the arrays above them), and
 * {@link ZSkipList#updateScore}: in place when the node keeps its place, moved otherwise, never
 * allocating.
 */
class ZSkipListTest {
    private record Member(double score, byte[] bytes) { }

    private static final Comparator<Member> ORDER = (a, b) -> ZSkipList.compare(a.score, a.bytes, b.score, b.bytes);

    private static byte[] member(int i) {
        return ("m" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void insertsDeletesAndUpdatesKeepTheOrderLinksAndRanksOfAModel() {
        SplittableRandom random = new SplittableRandom(18);
        ZSkipList list = new ZSkipList();
        TreeSet<Member> model = new TreeSet<>(ORDER);
        Map<Integer, Member> byId = new HashMap<>();
        for (int step = 0; step < 40_000; step++) {
            int id = random.nextInt(3_000);
            double score = random.nextInt(200) - 100; // ties: the member's bytes decide
            Member old = byId.get(id);
            int op = random.nextInt(10);
            if (old == null) {
                Member m = new Member(score, member(id));
                list.insert(m.score, m.bytes);
                model.add(m);
                byId.put(id, m);
            } else if (op < 2) {
                assertTrue(list.delete(old.score, old.bytes));
                model.remove(old);
                byId.remove(id);
            } else {
                double moved = op < 5 ? old.score + (random.nextBoolean() ? 0.25 : -0.25) : score; // near: often in place
                list.updateScore(old.score, old.bytes, moved);
                model.remove(old);
                Member m = new Member(moved, old.bytes);
                model.add(m);
                byId.put(id, m);
            }
            if (step % 4_000 == 0) {
                check(list, model);
            }
        }
        check(list, model);
        assertTrue(!list.delete(1e9, member(0)), "absent: nothing deleted");
    }

    private static void check(ZSkipList list, TreeSet<Member> model) {
        assertEquals(model.size(), list.length());
        List<Member> expected = new ArrayList<>(model);
        ZSkipList.Node node = list.first();
        for (int rank = 0; rank < expected.size(); rank++, node = node.next()) {
            Member m = expected.get(rank);
            assertEquals(m.score, node.score);
            assertSame(m.bytes, node.member);
            for (int i = 0; i < node.level; i++) { // each link keeps the score of the node it leads to
                if (node.forward(i) != null) {
                    assertEquals(node.forward(i).score, node.nextScore(i), "level " + i + " of rank " + rank);
                }
            }
            assertSame(node, list.at(rank));
            assertEquals(rank, list.rank(m.score, m.bytes));
            int before = rank;
            assertEquals(before, list.countBefore((s, b) -> ZSkipList.compare(s, b, m.score, m.bytes) < 0));
        }
        assertNull(node);
        node = list.last();
        for (int rank = expected.size() - 1; rank >= 0; rank--, node = node.previous()) {
            assertSame(expected.get(rank).bytes, node.member);
        }
        assertNull(node);
    }

    @Test
    void anUpdateKeepsItsNodeInPlaceOrMovesItAndAllocatesNothing() {
        ZSkipList list = new ZSkipList();
        int n = 10_000;
        double[] scores = new double[n];
        byte[][] members = new byte[n][];
        for (int i = 0; i < n; i++) {
            members[i] = member(i);
            scores[i] = i * 10;
            list.insert(scores[i], members[i]);
        }
        ZSkipList.Node node = list.at(500);
        list.updateScore(5000, members[500], 5001); // between its neighbours (4990 and 5010): stays
        assertSame(node, list.at(500));
        assertEquals(5001, node.score);
        list.updateScore(5001, members[500], 95_001); // past 9,500 others (scores 5010 to 95000): the same node, moved
        assertSame(node, list.at(9_500));
        assertEquals(9_500, list.rank(95_001, members[500]));
        scores[500] = 95_001;

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(1);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < 100_000; k++) {
            int i = random.nextInt(n);
            double score = random.nextInt(2) == 0 ? scores[i] + 0.5 : random.nextInt(n * 10); // in place, or moved
            list.updateScore(scores[i], members[i], score);
            scores[i] = score;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, "100,000 updates allocated " + allocated + " bytes");
        assertEquals(n, list.length());
    }
}
