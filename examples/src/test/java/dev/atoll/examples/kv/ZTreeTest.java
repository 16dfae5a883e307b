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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sorted set's B+ tree against a model (a TreeSet in the same order): order both ways from any
 * rank, ranks, counts before a bound, through splits, merges and borrowing at every level; how dense
 * deletes and in-order inserts leave it; and {@link ZTree#updateScore} allocating only the rare node.
 */
class ZTreeTest {
    private record Member(double score, byte[] bytes) { }

    private static final Comparator<Member> ORDER = (a, b) -> ZTree.compare(a.score, a.bytes, b.score, b.bytes);

    private static byte[] member(int i) {
        return ("m" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void insertsDeletesAndUpdatesKeepTheOrderAndRanksOfAModel() {
        for (int seed = 0; seed < 6; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            int ids = seed % 2 == 0 ? 3_000 : 40_000; // the larger: three inner levels, and deletes down to a few
            ZTree tree = new ZTree();
            TreeSet<Member> model = new TreeSet<>(ORDER);
            Map<Integer, Member> byId = new HashMap<>();
            for (int step = 0; step < 120_000; step++) {
                int id = random.nextInt(ids);
                double score = random.nextInt(200) - 100; // ties: the member's bytes decide
                Member old = byId.get(id);
                int op = random.nextInt(10);
                boolean shrinking = step > 80_000; // the last third mostly deletes: merges up to the root
                if (old == null) {
                    if (shrinking && random.nextInt(4) != 0) {
                        continue;
                    }
                    Member m = new Member(score, member(id));
                    tree.insert(m.score, m.bytes);
                    model.add(m);
                    byId.put(id, m);
                } else if (op < 2 || shrinking) {
                    assertTrue(tree.delete(old.score, old.bytes));
                    model.remove(old);
                    byId.remove(id);
                } else {
                    double moved = op < 5 ? old.score + (random.nextBoolean() ? 0.25 : -0.25) : score; // near: often in place
                    tree.updateScore(old.score, old.bytes, moved);
                    model.remove(old);
                    Member m = new Member(moved, old.bytes);
                    model.add(m);
                    byId.put(id, m);
                }
                if (step % 10_000 == 0 || shrinking && step % 1_000 == 0) {
                    check(tree, model, random);
                }
            }
            check(tree, model, random);
            assertFalse(tree.delete(1e9, member(0)), "absent: nothing deleted");
        }
    }

    private static void check(ZTree tree, TreeSet<Member> model, SplittableRandom random) {
        assertEquals(model.size(), tree.length());
        List<Member> expected = new ArrayList<>(model);
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        tree.visit(0, expected.size(), false, (member, score) -> {
            members.add(member);
            scores.add(score);
        });
        assertEquals(expected.size(), members.size());
        for (int rank = 0; rank < expected.size(); rank++) {
            Member m = expected.get(rank);
            assertSame(m.bytes, members.get(rank), "rank " + rank);
            assertEquals(m.score, scores.get(rank));
            if (rank % 7 == 0) {
                assertEquals(rank, tree.rank(m.score, m.bytes));
                assertEquals(rank, tree.countBefore((s, b) -> ZTree.compare(s, b, m.score, m.bytes) < 0));
                assertEquals(rank + 1, tree.countBefore((s, b) -> ZTree.compare(s, b, m.score, m.bytes) <= 0));
            }
        }
        assertEquals(expected.size(), tree.countBefore((s, b) -> true));
        assertEquals(0, tree.countBefore((s, b) -> false));
        for (int k = 0; k < 20 && !expected.isEmpty(); k++) { // runs from any rank, both ways, across leaves
            int from = random.nextInt(expected.size());
            boolean reverse = random.nextBoolean();
            int n = 1 + random.nextInt(reverse ? from + 1 : expected.size() - from);
            int[] at = {from};
            tree.visit(from, n, reverse, (member, score) -> {
                assertSame(expected.get(at[0]).bytes, member);
                at[0] += reverse ? -1 : 1;
            });
            assertEquals(reverse ? from - n : from + n, at[0]);
        }
    }

    @Test
    void deletesMergeLeavesSoThatTheTreeStaysAsDenseAsAQuarterOfEachLeaf() {
        ZTree tree = new ZTree();
        SplittableRandom random = new SplittableRandom(3);
        int n = 100_000;
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = random.nextInt(1_000_000);
            tree.insert(scores[i], member(i));
        }
        for (int i = 0; i < n; i++) {
            if (i % 20 != 0) { // 95 % go, from every leaf
                assertTrue(tree.delete(scores[i], member(i)));
            }
        }
        assertEquals(n / 20, tree.length());
        long perLeafAtLeast = ZTree.LEAF_CAPACITY / 4;
        long bound = (tree.length() / perLeafAtLeast + 1) * (ZTree.LEAF_BYTES + ZTree.INNER_BYTES / 2);
        assertTrue(tree.bytes() <= bound, tree.bytes() + " bytes for " + tree.length() + " members, bound " + bound);
    }

    @Test
    void membersAddedInOrderFillTheirLeaves() {
        for (boolean descending : new boolean[] {false, true}) {
            ZTree tree = new ZTree();
            int n = 32_000;
            for (int i = 0; i < n; i++) {
                tree.insert(descending ? -i : i, member(i));
            }
            long full = (long) n / ZTree.LEAF_CAPACITY * ZTree.LEAF_BYTES;
            assertTrue(tree.bytes() < full * 11 / 10, (descending ? "descending: " : "ascending: ") + tree.bytes()
                    + " bytes, full leaves " + full);
            assertEquals(descending ? n - 1 : 0, tree.rank(0, member(0)));
        }
    }

    @Test
    void anUpdateStaysInPlaceOrMovesAndAllocatesOnlyTheRareNode() {
        ZTree tree = new ZTree();
        int n = 10_000;
        double[] scores = new double[n];
        byte[][] members = new byte[n][];
        for (int i = 0; i < n; i++) {
            members[i] = member(i);
            scores[i] = i * 10;
            tree.insert(scores[i], members[i]);
        }
        tree.updateScore(5000, members[500], 5001); // between its neighbours (4990 and 5010)
        assertEquals(500, tree.rank(5001, members[500]));
        tree.updateScore(5001, members[500], 95_001); // past 9,500 others (scores 5010 to 95000)
        assertEquals(9_500, tree.rank(95_001, members[500]));
        scores[500] = 95_001;

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(1);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < 100_000; k++) {
            int i = random.nextInt(n);
            double score = random.nextInt(2) == 0 ? scores[i] + 0.5 : random.nextInt(n * 10); // in place, or moved
            tree.updateScore(scores[i], members[i], score);
            scores[i] = score;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 100_000 * 4L, "100,000 updates allocated " + allocated + " bytes");
        assertEquals(n, tree.length());

        // members moved to ever higher scores (redis-benchmark's ZADD): leaves split at the top as fast as
        // they merge elsewhere, and a split takes the leaf the last merge left
        double top = n * 10;
        for (int round = 0; round < 2; round++) {
            before = threads.getCurrentThreadAllocatedBytes();
            for (int k = 0; k < 100_000; k++) {
                int i = random.nextInt(n);
                tree.updateScore(scores[i], members[i], ++top);
                scores[i] = top;
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(allocated < 100_000 * 2L, "100,000 updates to ever higher scores allocated " + allocated + " bytes");
    }
}
