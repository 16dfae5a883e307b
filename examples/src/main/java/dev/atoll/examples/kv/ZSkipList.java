package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis's zskiplist: members ordered by score, then by their bytes (unsigned), with the span of
 * every link so that a rank is found in O(log n) both ways (rank of a member, member at a rank,
 * how many members lie before a bound). The "skiplist" encoding of a {@link ZSetValue}, beside its
 * member-to-score table. Used by its shard's thread only.
 */
final class ZSkipList {
    private static final int MAX_LEVEL = 32;
    /** One level more with probability 1/4, as Redis's ZSKIPLIST_P. */
    private static final int LEVEL_ODDS = 4;

    /** One member; {@code next[i]} skips {@code span[i]} ranks. */
    static final class Node {
        final byte[] member;
        final double score;
        Node previous;
        final Node[] next;
        final int[] span;

        Node(byte[] member, double score, int level) {
            this.member = member;
            this.score = score;
            this.next = new Node[level];
            this.span = new int[level];
        }

        /** The node after it (rank + 1), or null. */
        Node next() {
            return next[0];
        }

        /** The node before it (rank - 1), or null. */
        Node previous() {
            return previous;
        }
    }

    /** A bound of a range: true for the members before it, false from it on (monotone in the order). */
    interface Before {
        boolean test(double score, byte[] member);
    }

    private final Node head = new Node(null, 0, MAX_LEVEL);
    /** Where an insert or delete links at each level, and the rank there: kept, so a change allocates only its node. */
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
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            while (x.next[i] != null && compare(x.next[i].score, x.next[i].member, score, member) < 0) {
                rank[i] += x.span[i];
                x = x.next[i];
            }
            update[i] = x;
        }
        int newLevel = randomLevel();
        if (newLevel > level) {
            for (int i = level; i < newLevel; i++) {
                rank[i] = 0;
                update[i] = head;
                update[i].span[i] = length;
            }
            level = newLevel;
        }
        Node node = new Node(member, score, newLevel);
        for (int i = 0; i < newLevel; i++) {
            node.next[i] = update[i].next[i];
            update[i].next[i] = node;
            node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
            update[i].span[i] = (rank[0] - rank[i]) + 1;
        }
        for (int i = newLevel; i < level; i++) {
            update[i].span[i]++;
        }
        node.previous = update[0] == head ? null : update[0];
        if (node.next[0] != null) {
            node.next[0].previous = node;
        } else {
            tail = node;
        }
        Arrays.fill(update, 0, level, null); // holds no node past the change
        length++;
    }

    /** Removes the member of that score; false when it is not there. */
    boolean delete(double score, byte[] member) {
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && compare(x.next[i].score, x.next[i].member, score, member) < 0) {
                x = x.next[i];
            }
            update[i] = x;
        }
        x = x.next[0];
        if (x == null || compare(x.score, x.member, score, member) != 0) {
            Arrays.fill(update, 0, level, null);
            return false;
        }
        for (int i = 0; i < level; i++) {
            if (update[i].next[i] == x) {
                update[i].span[i] += x.span[i] - 1;
                update[i].next[i] = x.next[i];
            } else {
                update[i].span[i]--;
            }
        }
        if (x.next[0] != null) {
            x.next[0].previous = x.previous;
        } else {
            tail = x.previous;
        }
        Arrays.fill(update, 0, level, null);
        while (level > 1 && head.next[level - 1] == null) {
            level--;
        }
        length--;
        return true;
    }

    /** The 0-based rank of the member of that score (it must be in the list). */
    int rank(double score, byte[] member) {
        int rank = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && compare(x.next[i].score, x.next[i].member, score, member) <= 0) {
                rank += x.span[i];
                x = x.next[i];
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
            while (x.next[i] != null && traversed + x.span[i] <= wanted) {
                traversed += x.span[i];
                x = x.next[i];
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
            while (x.next[i] != null && bound.test(x.next[i].score, x.next[i].member)) {
                rank += x.span[i];
                x = x.next[i];
            }
        }
        return rank;
    }

    Node first() {
        return head.next[0];
    }

    Node last() {
        return tail;
    }
}
