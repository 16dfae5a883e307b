package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis's zskiplist: members ordered by score, then by their bytes (unsigned), with the span of
 * every link so that a rank is found in O(log n) both ways (rank of a member, member at a rank,
 * how many members lie before a bound). The "skiplist" encoding of a {@link ZSetValue}, beside its
 * member-to-score table. Used by its shard's thread only.
 *
 * <p>A node is one object, as Redis's is one allocation with its levels inline: its first
 * {@link Node#INLINE} levels (those of all but one node in 256, with Redis's odds of 1/4 a level)
 * are fields, so a step of a walk reads the next node and nothing else; only the rare taller node
 * keeps its upper levels in arrays. Each link keeps the score of the node it leads to, so that the
 * walk reads a node only when it steps onto it (or meets its score): a walk's last comparison at each
 * level, the one that stops it, reads no node (of the three to four a level reads on average, with
 * odds of 1/4); a node is 32 bytes larger for it. docs/benchmarks.md has the measurements.
 */
final class ZSkipList {
    private static final int MAX_LEVEL = 32;
    /** One level more with probability 1/4, as Redis's ZSKIPLIST_P. */
    private static final int LEVEL_ODDS = 4;

    /**
     * What a walk reads of a node at level 0 — its score, its first link, the score of the node that
     * link leads to and the link's span (an insert's walk adds up the spans it follows) — declared first
     * so that the JVM lays them out together at the start of the object (a superclass's fields come
     * before its subclass's); then, level by level, the same of levels 1 to 3, each level's fields
     * side by side. Ordered by size in one class, the spans would sit a cache line away from the links.
     */
    abstract static class Level0 {
        double score;
        double nextScore0;
        Node forward0;
        int span0;
    }

    /** Level 1 of a node, after {@link Level0}. */
    abstract static class Level1 extends Level0 {
        double nextScore1;
        Node forward1;
        int span1;
    }

    /** Level 2 of a node, after {@link Level1}. */
    abstract static class Level2 extends Level1 {
        double nextScore2;
        Node forward2;
        int span2;
    }

    /** Level 3 of a node, after {@link Level2}. */
    abstract static class Links extends Level2 {
        double nextScore3;
        Node forward3;
        int span3;
    }

    /**
     * One member; its link at level {@code i} leads to {@link #forward(int)}, whose score it keeps in
     * {@link #nextScore(int)} (a walk decides to stop before a node without reading it), and skips
     * {@link #span(int)} ranks.
     */
    static final class Node extends Links {
        /** The levels held in fields; the levels above are in {@link #upperForward} and {@link #upperSpan}. */
        static final int INLINE = 4;

        final byte[] member;
        Node previous;
        final int level;
        /** Levels from {@link #INLINE} up (links, their nodes' scores, spans); null for a node no taller than that. */
        private final Node[] upperForward;
        private final double[] upperNextScore;
        private final int[] upperSpan;

        Node(byte[] member, double score, int level) {
            this.member = member;
            this.score = score;
            this.level = level;
            this.upperForward = level > INLINE ? new Node[level - INLINE] : null;
            this.upperNextScore = level > INLINE ? new double[level - INLINE] : null;
            this.upperSpan = level > INLINE ? new int[level - INLINE] : null;
        }

        /** The node after it (rank + 1), or null. */
        Node next() {
            return forward0;
        }

        /** The node before it (rank - 1), or null. */
        Node previous() {
            return previous;
        }

        Node forward(int i) {
            return switch (i) {
                case 0 -> forward0;
                case 1 -> forward1;
                case 2 -> forward2;
                case 3 -> forward3;
                default -> upperForward[i - INLINE];
            };
        }

        /** The score of {@link #forward(int) forward(i)}, when there is one. */
        double nextScore(int i) {
            return switch (i) {
                case 0 -> nextScore0;
                case 1 -> nextScore1;
                case 2 -> nextScore2;
                case 3 -> nextScore3;
                default -> upperNextScore[i - INLINE];
            };
        }

        /** Links level {@code i} to {@code node}, of score {@code nodeScore} (any when null). */
        void forward(int i, Node node, double nodeScore) {
            switch (i) {
                case 0 -> {
                    forward0 = node;
                    nextScore0 = nodeScore;
                }
                case 1 -> {
                    forward1 = node;
                    nextScore1 = nodeScore;
                }
                case 2 -> {
                    forward2 = node;
                    nextScore2 = nodeScore;
                }
                case 3 -> {
                    forward3 = node;
                    nextScore3 = nodeScore;
                }
                default -> {
                    upperForward[i - INLINE] = node;
                    upperNextScore[i - INLINE] = nodeScore;
                }
            }
        }

        /** Whether {@link #forward(int) forward(i)} comes before {@code score} and {@code member}. */
        boolean nextBefore(int i, Node next, double score, byte[] member) {
            double s = nextScore(i);
            return s < score || s == score && Arrays.compareUnsigned(next.member, member) < 0;
        }

        /** Whether {@link #forward(int) forward(i)} comes before {@code score} and {@code member} or is that member. */
        boolean nextNotAfter(int i, Node next, double score, byte[] member) {
            double s = nextScore(i);
            return s < score || s == score && Arrays.compareUnsigned(next.member, member) <= 0;
        }

        int span(int i) {
            return switch (i) {
                case 0 -> span0;
                case 1 -> span1;
                case 2 -> span2;
                case 3 -> span3;
                default -> upperSpan[i - INLINE];
            };
        }

        void span(int i, int span) {
            switch (i) {
                case 0 -> span0 = span;
                case 1 -> span1 = span;
                case 2 -> span2 = span;
                case 3 -> span3 = span;
                default -> upperSpan[i - INLINE] = span;
            }
        }
    }

    /** A bound of a range: true for the members before it, false from it on (monotone in the order). */
    interface Before {
        boolean test(double score, byte[] member);
    }

    private final Node head = new Node(null, 0, MAX_LEVEL);
    /** Where an insert or delete links at each level, and the rank there: kept, so a change allocates at most its node. */
    private final Node[] update = new Node[MAX_LEVEL];
    private final int[] rank = new int[MAX_LEVEL];
    private Node tail;
    private int length;
    private int level = 1;

    int length() {
        return length;
    }

    /** The order of members: by score (-0 and 0 equal, as C compares), then bytes unsigned. */
    static int compare(double score, byte[] member, double otherScore, byte[] otherMember) {
        if (score != otherScore) {
            return score < otherScore ? -1 : 1;
        }
        return Arrays.compareUnsigned(member, otherMember);
    }

    private static int randomLevel() {
        int level = 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (level < MAX_LEVEL && random.nextInt(LEVEL_ODDS) == 0) {
            level++;
        }
        return level;
    }

    /** Inserts a member that is not in the list. */
    void insert(double score, byte[] member) {
        link(new Node(member, score, randomLevel()));
    }

    /** Links {@code node} (of its score and member, in no list) where its order puts it. */
    private void link(Node node) {
        double score = node.score;
        byte[] member = node.member;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            for (Node y = x.forward(i); y != null && x.nextBefore(i, y, score, member); y = x.forward(i)) {
                rank[i] += x.span(i);
                x = y;
            }
            update[i] = x;
        }
        int nodeLevel = node.level;
        if (nodeLevel > level) {
            for (int i = level; i < nodeLevel; i++) {
                rank[i] = 0;
                update[i] = head;
                head.span(i, length);
            }
            level = nodeLevel;
        }
        for (int i = 0; i < nodeLevel; i++) {
            Node u = update[i];
            node.forward(i, u.forward(i), u.nextScore(i));
            u.forward(i, node, score);
            node.span(i, u.span(i) - (rank[0] - rank[i]));
            u.span(i, (rank[0] - rank[i]) + 1);
        }
        for (int i = nodeLevel; i < level; i++) {
            update[i].span(i, update[i].span(i) + 1);
        }
        node.previous = update[0] == head ? null : update[0];
        if (node.forward0 != null) {
            node.forward0.previous = node;
        } else {
            tail = node;
        }
        Arrays.fill(update, 0, level, null); // holds no node past the change
        length++;
    }

    /** Removes the member of that score; false when it is not there. */
    boolean delete(double score, byte[] member) {
        Node x = find(score, member);
        if (x == null) {
            return false;
        }
        unlink(x);
        return true;
    }

    /**
     * Gives the member of score {@code score} (it must be in the list) the score {@code newScore}, as
     * Redis's zslUpdateScore: in place when the new score keeps it between its neighbours, else
     * moved — the same node unlinked and linked again at its new place. Allocates nothing.
     */
    void updateScore(double score, byte[] member, double newScore) {
        Node x = find(score, member);
        if (x == null) {
            throw new IllegalStateException("the member is not in the skip list");
        }
        Node before = x.previous;
        Node after = x.forward0;
        if ((before == null || compare(before.score, before.member, newScore, member) < 0)
                && (after == null || compare(newScore, member, x.nextScore0, after.member) < 0)) {
            x.score = newScore;
            for (int i = 0; i < x.level; i++) { // its predecessors (each links to it) keep its score
                update[i].forward(i, x, newScore);
            }
            Arrays.fill(update, 0, level, null);
            return;
        }
        unlink(x);
        x.score = newScore;
        link(x); // sets every link of its levels and its previous node anew
    }

    /** The node of that score and member, with {@link #update} its predecessor at each level; null when absent. */
    private Node find(double score, byte[] member) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            for (Node y = x.forward(i); y != null && x.nextBefore(i, y, score, member); y = x.forward(i)) {
                x = y;
            }
            update[i] = x;
        }
        x = x.forward0;
        if (x == null || compare(x.score, x.member, score, member) != 0) {
            Arrays.fill(update, 0, level, null);
            return null;
        }
        return x;
    }

    /** Unlinks {@code x}, its predecessors in {@link #update} (as {@link #find} leaves them). */
    private void unlink(Node x) {
        for (int i = 0; i < level; i++) {
            Node u = update[i];
            if (u.forward(i) == x) {
                u.span(i, u.span(i) + x.span(i) - 1);
                u.forward(i, x.forward(i), x.nextScore(i));
            } else {
                u.span(i, u.span(i) - 1);
            }
        }
        if (x.forward0 != null) {
            x.forward0.previous = x.previous;
        } else {
            tail = x.previous;
        }
        Arrays.fill(update, 0, level, null);
        while (level > 1 && head.forward(level - 1) == null) {
            level--;
        }
        length--;
    }

    /** The 0-based rank of the member of that score (it must be in the list). */
    int rank(double score, byte[] member) {
        int rank = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            for (Node y = x.forward(i); y != null && x.nextNotAfter(i, y, score, member); y = x.forward(i)) {
                rank += x.span(i);
                x = y;
            }
            if (x != head && compare(x.score, x.member, score, member) == 0) {
                return rank - 1;
            }
        }
        throw new IllegalStateException("the member is not in the skip list");
    }

    /** The node at 0-based {@code rank} (below {@link #length()}). */
    Node at(int rank) {
        int traversed = 0;
        int wanted = rank + 1;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            for (Node y = x.forward(i); y != null && traversed + x.span(i) <= wanted; y = x.forward(i)) {
                traversed += x.span(i);
                x = y;
            }
            if (traversed == wanted) {
                return x;
            }
        }
        throw new IndexOutOfBoundsException(rank);
    }

    /** How many members come before {@code bound} (those for which it is true). */
    int countBefore(Before bound) {
        int rank = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            for (Node y = x.forward(i); y != null && bound.test(y.score, y.member); y = x.forward(i)) {
                rank += x.span(i);
                x = y;
            }
        }
        return rank;
    }

    Node first() {
        return head.forward0;
    }

    Node last() {
        return tail;
    }
}
