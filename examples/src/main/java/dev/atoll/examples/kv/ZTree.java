package dev.atoll.examples.kv;

import java.util.Arrays;

/**
 * A large sorted set's members in order — by score, then by their bytes (unsigned) — as an
 * order-statistic B+ tree: members and scores in leaves of up to {@link #LEAF_CAPACITY} kept in
 * order and linked both ways, above them inner nodes that keep each child's member count (a rank is
 * found in O(log n) both ways: rank of a member, member at a rank, how many members lie before a
 * bound) and the lowest member a child may hold. The "skiplist" encoding of a {@link ZSetValue}
 * (Redis's name, kept for OBJECT ENCODING), beside its member-to-score table; Redis's zskiplist
 * orders the same members with the same results, as Dragonfly's B+ tree does.
 *
 * <p>Why not Redis's skip list: a walk of one steps through some 25 nodes at 100,000 members, each
 * a cache miss once the list outgrows the cache, and a score update walks twice; it held 55-70 % of
 * the shard's CPU under {@code ZADD -r 100000}. A leaf's 32 scores fill four cache lines and the
 * inner nodes above 100,000 members, about 200, stay cached, so a descent misses the cache a few
 * times (docs/benchmarks.md). A member costs its two references in a leaf, not a node of its own.
 *
 * <p>A leaf below a quarter full takes members from a neighbour or merges with it, as an inner node
 * below a quarter of its children does, so deletes keep the tree as dense as inserts make it; a full
 * leaf splits in half, or, when the member goes at its end (or start), into itself and a leaf of
 * that member alone, so members added in order fill their leaves. Used by its shard's thread only.
 */
final class ZTree {
    /** Members a leaf holds at most: its scores fill four 64-byte cache lines. */
    static final int LEAF_CAPACITY = 32;
    /** Children an inner node holds at most. */
    static final int INNER_CAPACITY = 32;
    private static final int LEAF_MIN = LEAF_CAPACITY / 4;
    private static final int INNER_MIN = INNER_CAPACITY / 4;
    /**
     * Inner levels at most. An inner node has two children at least, and one split to the side (next to a child
     * added first or last) leaves a full one beside it, so the tree is far lower: about 6 levels at 2^31 members.
     */
    private static final int MAX_HEIGHT = 32;
    /**
     * Heap bytes of a leaf and of an inner node with compressed references (the estimate {@link KeyTable}
     * makes too): the object and its arrays of 32.
     */
    static final long LEAF_BYTES = 32 + (16 + 8L * LEAF_CAPACITY) + (16 + 4L * LEAF_CAPACITY);
    static final long INNER_BYTES = 24 + 2 * (16 + 4L * INNER_CAPACITY) + (16 + 8L * INNER_CAPACITY)
            + (16 + 4L * INNER_CAPACITY);

    /** A bound of a range: true for the members before it, false from it on (monotone in the order). */
    interface Before {
        boolean test(double score, byte[] member);
    }

    /** Members in order ({@code members[i]} has {@code scores[i]}, i below {@code count}), linked to the leaves beside it. */
    private static final class Leaf {
        final double[] scores = new double[LEAF_CAPACITY];
        final byte[][] members = new byte[LEAF_CAPACITY][];
        int count;
        Leaf previous;
        Leaf next;
    }

    /**
     * Children in order (all leaves, or all inner nodes), each with its member count and, from the second
     * on, its low bound: no member of the child before reaches it, none of the child is below it. A bound
     * is the child's first member when it was set and may stay when that member goes (still a bound). An
     * inner node's own first bound is the one its parent keeps for it (they are set together), so a merge or
     * a borrow moves a first child with its bound.
     */
    private static final class Inner {
        final Object[] children = new Object[INNER_CAPACITY];
        final int[] sizes = new int[INNER_CAPACITY];
        final double[] lowScores = new double[INNER_CAPACITY];
        final byte[][] lowMembers = new byte[INNER_CAPACITY][];
        int count;
    }

    private Object root = new Leaf();
    /**
     * Leaves merges emptied, for the next splits (linked by {@code next}; at most one and a sixteenth of the
     * leaves in use): a set whose members move from one end of the order to the other (ZADD of ever higher
     * scores) merges leaves as fast as it splits them, and takes few new ones.
     */
    private Leaf spareLeaves;
    private int spares;
    /** Inner levels above the leaves: 0 while the root is a leaf. */
    private int height;
    private int length;
    /** Leaves held, the spare ones included. */
    private int leaves = 1;
    private int inners;
    /** The last descent's inner nodes from the root down, and the child taken in each: kept, so a change allocates at most a node. */
    private final Inner[] path = new Inner[MAX_HEIGHT];
    private final int[] slots = new int[MAX_HEIGHT];

    int length() {
        return length;
    }

    /** Heap bytes of the leaves and inner nodes, for maxmemory. */
    long bytes() {
        return leaves * LEAF_BYTES + inners * INNER_BYTES;
    }

    /** The order of members: by score (-0 and 0 equal, as C compares), then bytes unsigned. */
    static int compare(double score, byte[] member, double otherScore, byte[] otherMember) {
        if (score != otherScore) {
            return score < otherScore ? -1 : 1;
        }
        return Arrays.compareUnsigned(member, otherMember);
    }

    /** Inserts a member that is not in the tree. */
    void insert(double score, byte[] member) {
        Leaf leaf = descend(score, member);
        int at = lowerBound(leaf, score, member);
        for (int d = 0; d < height; d++) {
            path[d].sizes[slots[d]]++;
        }
        length++;
        if (leaf.count < LEAF_CAPACITY) {
            insertAt(leaf, at, score, member);
        } else {
            int split = at == LEAF_CAPACITY ? LEAF_CAPACITY : at == 0 ? 0 : LEAF_CAPACITY / 2;
            Leaf right = splitLeaf(leaf, split);
            if (at < split || at == split && leaf.count < LEAF_CAPACITY) {
                insertAt(leaf, at, score, member);
            } else {
                insertAt(right, at - split, score, member);
            }
            addChild(height - 1, right, right.scores[0], right.members[0], leaf.count, right.count);
        }
        clearPath();
    }

    /** Removes the member of that score; false when it is not there. */
    boolean delete(double score, byte[] member) {
        Leaf leaf = descend(score, member);
        int at = indexOf(leaf, score, member);
        if (at >= 0) {
            remove(leaf, at);
        }
        clearPath();
        return at >= 0;
    }

    /**
     * Gives the member of score {@code score} (it must be in the tree) the score {@code newScore}: in
     * place when the new score keeps it between its neighbours in its leaf, else removed and inserted.
     */
    void updateScore(double score, byte[] member, double newScore) {
        Leaf leaf = descend(score, member);
        int at = indexOf(leaf, score, member);
        if (at < 0) {
            clearPath();
            throw new IllegalStateException("the member is not in the sorted set's tree");
        }
        if (at > 0 && at < leaf.count - 1 && compare(leaf.scores[at - 1], leaf.members[at - 1], newScore, member) < 0
                && compare(newScore, member, leaf.scores[at + 1], leaf.members[at + 1]) < 0) {
            leaf.scores[at] = newScore; // neither end of its leaf: no bound above it changes
            clearPath();
            return;
        }
        remove(leaf, at);
        clearPath();
        insert(newScore, member);
    }

    /** The 0-based rank of the member of that score (it must be in the tree). */
    int rank(double score, byte[] member) {
        Leaf leaf = descend(score, member);
        int rank = indexOf(leaf, score, member);
        if (rank < 0) {
            clearPath();
            throw new IllegalStateException("the member is not in the sorted set's tree");
        }
        for (int d = 0; d < height; d++) { // and the members of the children before the path's
            for (int i = 0; i < slots[d]; i++) {
                rank += path[d].sizes[i];
            }
        }
        clearPath();
        return rank;
    }

    /** How many members come before {@code bound} (those for which it is true). */
    int countBefore(Before bound) {
        int rank = 0;
        Object node = root;
        for (int d = 0; d < height; d++) {
            Inner inner = (Inner) node;
            int lo = 1;
            int hi = inner.count - 1;
            while (lo <= hi) { // the first child whose low bound is not before: the members before end in the child ahead of it
                int mid = (lo + hi) >>> 1;
                if (bound.test(inner.lowScores[mid], inner.lowMembers[mid])) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            int slot = lo - 1;
            for (int i = 0; i < slot; i++) {
                rank += inner.sizes[i];
            }
            node = inner.children[slot];
        }
        Leaf leaf = (Leaf) node;
        int lo = 0;
        int hi = leaf.count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bound.test(leaf.scores[mid], leaf.members[mid])) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return rank + lo;
    }

    /**
     * Visits {@code n} members from 0-based rank {@code from} (below {@link #length()}, as are the
     * {@code n - 1} after it): upwards, or downwards when {@code reverse}. O(log n + n); the visitor must
     * not change the tree.
     */
    void visit(int from, int n, boolean reverse, ZSetValue.EntryVisitor visitor) {
        if (n <= 0) {
            return;
        }
        int rank = from;
        Object node = root;
        for (int d = 0; d < height; d++) {
            Inner inner = (Inner) node;
            int i = 0;
            while (rank >= inner.sizes[i]) {
                rank -= inner.sizes[i++];
            }
            node = inner.children[i];
        }
        Leaf leaf = (Leaf) node;
        int at = rank;
        for (int k = 0; ; ) {
            visitor.visit(leaf.members[at], leaf.scores[at]);
            if (++k == n) {
                return;
            }
            if (reverse) {
                if (--at < 0) {
                    leaf = leaf.previous;
                    at = leaf.count - 1;
                }
            } else if (++at == leaf.count) {
                leaf = leaf.next;
                at = 0;
            }
        }
    }

    /** The leaf where that member is or would go, with {@link #path} and {@link #slots} the way to it. */
    private Leaf descend(double score, byte[] member) {
        Object node = root;
        for (int d = 0; d < height; d++) {
            Inner inner = (Inner) node;
            int slot = route(inner, score, member);
            path[d] = inner;
            slots[d] = slot;
            node = inner.children[slot];
        }
        return (Leaf) node;
    }

    private void clearPath() {
        Arrays.fill(path, null); // holds no node past the change (the height may have changed in it)
    }

    /** The child of {@code inner} whose members' range holds that member: the last whose low bound is not after it. */
    private static int route(Inner inner, double score, byte[] member) {
        int lo = 1;
        int hi = inner.count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(inner.lowScores[mid], inner.lowMembers[mid], score, member) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    /** The index of that member in {@code leaf}, or -1. */
    private static int indexOf(Leaf leaf, double score, byte[] member) {
        int at = lowerBound(leaf, score, member);
        return at < leaf.count && compare(leaf.scores[at], leaf.members[at], score, member) == 0 ? at : -1;
    }

    /** The first index of {@code leaf} whose member is not before that one. */
    private static int lowerBound(Leaf leaf, double score, byte[] member) {
        int lo = 0;
        int hi = leaf.count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(leaf.scores[mid], leaf.members[mid], score, member) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void insertAt(Leaf leaf, int at, double score, byte[] member) {
        System.arraycopy(leaf.scores, at, leaf.scores, at + 1, leaf.count - at);
        System.arraycopy(leaf.members, at, leaf.members, at + 1, leaf.count - at);
        leaf.scores[at] = score;
        leaf.members[at] = member;
        leaf.count++;
    }

    /** Moves the members of {@code leaf} from {@code split} on into a new leaf after it, and returns that leaf. */
    private Leaf splitLeaf(Leaf leaf, int split) {
        Leaf right = spareLeaves;
        if (right != null) {
            spareLeaves = right.next;
            spares--;
        } else {
            right = new Leaf();
            leaves++;
        }
        int moved = leaf.count - split;
        System.arraycopy(leaf.scores, split, right.scores, 0, moved);
        System.arraycopy(leaf.members, split, right.members, 0, moved);
        Arrays.fill(leaf.members, split, leaf.count, null);
        right.count = moved;
        leaf.count = split;
        right.previous = leaf;
        right.next = leaf.next;
        if (leaf.next != null) {
            leaf.next.previous = right;
        }
        leaf.next = right;
        return right;
    }

    /**
     * Puts {@code child} (low bound {@code lowScore}, {@code lowMember}; {@code childSize} members) after
     * the child that {@link #path} took at level {@code d}, which now holds {@code leftSize}; splits that
     * inner node when full (in half, or next to the new child when it goes second or last, so that children
     * added in order fill their nodes; each side keeps two children at least), and grows a new root above
     * the old one at level -1.
     */
    private void addChild(int d, Object child, double lowScore, byte[] lowMember, int leftSize, int childSize) {
        if (d < 0) {
            Inner top = new Inner();
            inners++;
            top.children[0] = root;
            top.sizes[0] = leftSize;
            top.count = 1;
            insertChild(top, 1, child, lowScore, lowMember, childSize);
            root = top;
            height++;
            return;
        }
        Inner parent = path[d];
        int slot = slots[d];
        parent.sizes[slot] = leftSize;
        if (parent.count < INNER_CAPACITY) {
            insertChild(parent, slot + 1, child, lowScore, lowMember, childSize);
            return;
        }
        Inner right = new Inner();
        inners++;
        int at = slot + 1;
        // as a leaf splits, but keeping two children a side: a child's neighbour is what a merge or a borrow takes from
        int split = at == INNER_CAPACITY ? INNER_CAPACITY - 1 : at == 1 ? 1 : INNER_CAPACITY / 2;
        moveChildren(parent, split, right, 0, parent.count - split);
        right.count = parent.count - split;
        parent.count = split;
        if (at < split || at == split && parent.count < INNER_CAPACITY) {
            insertChild(parent, at, child, lowScore, lowMember, childSize);
        } else {
            insertChild(right, at - split, child, lowScore, lowMember, childSize);
        }
        addChild(d - 1, right, right.lowScores[0], right.lowMembers[0], sum(parent), sum(right));
    }

    private static void insertChild(Inner inner, int at, Object child, double lowScore, byte[] lowMember, int size) {
        moveChildren(inner, at, inner, at + 1, inner.count - at);
        inner.children[at] = child;
        inner.sizes[at] = size;
        inner.lowScores[at] = lowScore;
        inner.lowMembers[at] = lowMember;
        inner.count++;
    }

    private static void removeChild(Inner inner, int at) {
        moveChildren(inner, at + 1, inner, at, inner.count - at - 1);
        inner.count--;
        inner.children[inner.count] = null;
        inner.lowMembers[inner.count] = null;
    }

    /** Copies {@code n} children with their sizes and bounds (overlapping ranges as arraycopy allows); clears what a move out of {@code from} left behind at its end. */
    private static void moveChildren(Inner from, int fromAt, Inner to, int toAt, int n) {
        System.arraycopy(from.children, fromAt, to.children, toAt, n);
        System.arraycopy(from.sizes, fromAt, to.sizes, toAt, n);
        System.arraycopy(from.lowScores, fromAt, to.lowScores, toAt, n);
        System.arraycopy(from.lowMembers, fromAt, to.lowMembers, toAt, n);
        if (from != to) {
            Arrays.fill(from.children, fromAt, fromAt + n, null);
            Arrays.fill(from.lowMembers, fromAt, fromAt + n, null);
        }
    }

    private static int sum(Inner inner) {
        int total = 0;
        for (int i = 0; i < inner.count; i++) {
            total += inner.sizes[i];
        }
        return total;
    }

    /** Removes the member at {@code at} of {@code leaf}, reached by {@link #path}; rebalances what falls below a quarter. */
    private void remove(Leaf leaf, int at) {
        leaf.count--;
        System.arraycopy(leaf.scores, at + 1, leaf.scores, at, leaf.count - at);
        System.arraycopy(leaf.members, at + 1, leaf.members, at, leaf.count - at);
        leaf.members[leaf.count] = null;
        for (int d = 0; d < height; d++) {
            path[d].sizes[slots[d]]--;
        }
        length--;
        if (height > 0 && leaf.count < LEAF_MIN) {
            rebalanceLeaf();
        }
    }

    /** The leaf the path ends in, below its minimum, takes members from a neighbour or merges with it. */
    private void rebalanceLeaf() {
        Inner parent = path[height - 1];
        int slot = slots[height - 1];
        int j = slot > 0 ? slot - 1 : slot; // the pair: children j and j + 1 of parent
        Leaf left = (Leaf) parent.children[j];
        Leaf right = (Leaf) parent.children[j + 1];
        if (left.count + right.count <= LEAF_CAPACITY) {
            System.arraycopy(right.scores, 0, left.scores, left.count, right.count);
            System.arraycopy(right.members, 0, left.members, left.count, right.count);
            left.count += right.count;
            left.next = right.next;
            if (right.next != null) {
                right.next.previous = left;
            }
            Arrays.fill(right.members, 0, right.count, null);
            right.count = 0;
            right.previous = null;
            if (spares <= (leaves - spares) / 16) {
                right.next = spareLeaves;
                spareLeaves = right;
                spares++;
            } else {
                right.next = null;
                leaves--;
            }
            parent.sizes[j] += parent.sizes[j + 1];
            removeChild(parent, j + 1);
            rebalanceInner(height - 1);
            return;
        }
        int toLeft = (left.count + right.count) / 2 - left.count; // > 0: members move right to left; < 0: left to right
        if (toLeft > 0) {
            System.arraycopy(right.scores, 0, left.scores, left.count, toLeft);
            System.arraycopy(right.members, 0, left.members, left.count, toLeft);
            left.count += toLeft;
            right.count -= toLeft;
            System.arraycopy(right.scores, toLeft, right.scores, 0, right.count);
            System.arraycopy(right.members, toLeft, right.members, 0, right.count);
            Arrays.fill(right.members, right.count, right.count + toLeft, null);
        } else {
            int n = -toLeft;
            System.arraycopy(right.scores, 0, right.scores, n, right.count);
            System.arraycopy(right.members, 0, right.members, n, right.count);
            left.count -= n;
            System.arraycopy(left.scores, left.count, right.scores, 0, n);
            System.arraycopy(left.members, left.count, right.members, 0, n);
            Arrays.fill(left.members, left.count, left.count + n, null);
            right.count += n;
        }
        parent.sizes[j] = left.count;
        parent.sizes[j + 1] = right.count;
        parent.lowScores[j + 1] = right.scores[0];
        parent.lowMembers[j + 1] = right.members[0];
    }

    /**
     * The inner node at level {@code d} of the path, below its minimum, takes children from a neighbour or
     * merges with it (and so on up); the root gives way to its only child.
     */
    private void rebalanceInner(int d) {
        Inner node = path[d];
        if (d == 0) {
            while (height > 0 && ((Inner) root).count == 1) {
                root = ((Inner) root).children[0];
                height--;
                inners--;
            }
            return;
        }
        if (node.count >= INNER_MIN) {
            return;
        }
        Inner parent = path[d - 1];
        int slot = slots[d - 1];
        int j = slot > 0 ? slot - 1 : slot;
        Inner left = (Inner) parent.children[j];
        Inner right = (Inner) parent.children[j + 1];
        if (left.count + right.count <= INNER_CAPACITY) {
            moveChildren(right, 0, left, left.count, right.count);
            left.count += right.count;
            inners--;
            parent.sizes[j] += parent.sizes[j + 1];
            removeChild(parent, j + 1);
            rebalanceInner(d - 1);
            return;
        }
        int toLeft = (left.count + right.count) / 2 - left.count;
        int moved = 0;
        if (toLeft > 0) {
            for (int i = 0; i < toLeft; i++) {
                moved += right.sizes[i];
            }
            moveChildren(right, 0, left, left.count, toLeft);
            left.count += toLeft;
            right.count -= toLeft;
            moveChildren(right, toLeft, right, 0, right.count);
            Arrays.fill(right.children, right.count, right.count + toLeft, null);
            Arrays.fill(right.lowMembers, right.count, right.count + toLeft, null);
        } else {
            int n = -toLeft;
            moveChildren(right, 0, right, n, right.count);
            left.count -= n;
            moveChildren(left, left.count, right, 0, n);
            right.count += n;
            for (int i = 0; i < n; i++) {
                moved -= right.sizes[i];
            }
        }
        parent.sizes[j] += moved;
        parent.sizes[j + 1] -= moved;
        parent.lowScores[j + 1] = right.lowScores[0];
        parent.lowMembers[j + 1] = right.lowMembers[0];
    }
}
