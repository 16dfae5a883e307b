package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ListValue}'s blocks against a plain list, its snapshots while it changes, and what a push may cost. */
class ListValueTest {
    private static byte[] element(int n) {
        return Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertSame(List<byte[]> expected, ListValue actual, String after) {
        assertEquals(expected.size(), actual.size(), after);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), after + ": index " + i);
        }
    }

    /** A push (op 0 at the head, 1 at the tail) or a pop (2 at the head, 3 at the tail) on both. */
    private static String pushOrPop(List<byte[]> model, ListValue list, byte[] value, int op) {
        boolean left = op % 2 == 0;
        if (op < 2) {
            if (left) {
                model.addFirst(value);
            } else {
                model.addLast(value);
            }
            list.push(left, value);
            return left ? "LPUSH" : "RPUSH";
        }
        assertArrayEquals(left ? model.removeFirst() : model.removeLast(), list.pop(left));
        return left ? "LPOP" : "RPOP";
    }

    /** One random command on both; a few elements' values repeat so that LREM finds some. */
    private static String step(SplittableRandom random, List<byte[]> model, ListValue list, int counter) {
        int op = random.nextInt(model.isEmpty() ? 2 : 8);
        byte[] value = element(random.nextInt(4) == 0 ? random.nextInt(3) : counter);
        switch (op) {
            case 0, 1, 2, 3 -> {
                return pushOrPop(model, list, value, op);
            }
            case 4 -> {
                int index = random.nextInt(model.size() + 1);
                model.add(index, value);
                list.insert(index, value);
                return "LINSERT " + index;
            }
            case 5 -> {
                int index = random.nextInt(model.size());
                model.set(index, value);
                list.set(index, value);
                return "LSET " + index;
            }
            case 6 -> {
                byte[] match = element(random.nextInt(3));
                long count = random.nextInt(5) - 2;
                int removed = 0;
                for (int i = count >= 0 ? 0 : model.size() - 1; i >= 0 && i < model.size(); ) {
                    if ((count == 0 || removed < Math.abs(count)) && ListValue.equal(model.get(i), match, 0, match.length)) {
                        model.remove(i);
                        removed++;
                        i = count >= 0 ? i : i - 1;
                    } else {
                        i = count >= 0 ? i + 1 : i - 1;
                    }
                }
                assertEquals(removed, list.removeMatching(match, 0, match.length, count));
                return "LREM " + count;
            }
            default -> {
                // mostly a trim that keeps most of it, now and then one that empties it
                int start = random.nextInt(Math.min(model.size(), 8));
                int stop = random.nextInt(10) == 0 ? start - 1 : model.size() - 1 - random.nextInt(Math.min(model.size() - start, 8));
                List<byte[]> kept = start > stop ? List.of() : new ArrayList<>(model.subList(start, stop + 1));
                model.clear();
                model.addAll(kept);
                list.trim(start, stop);
                return "LTRIM " + start + " " + stop;
            }
        }
    }

    @Test
    void everyCommandMatchesAPlainListThroughBlocksAddedAndDropped() {
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<byte[]> model = new ArrayList<>();
            ListValue list = new ListValue();
            // runs of pushes and of pops, so that lists cross many blocks and come back to one
            for (int run = 0, counter = 0; run < 60; run++) {
                int bias = random.nextInt(3);
                int steps = random.nextInt(4 * ListValue.BLOCK);
                for (int i = 0; i < steps; i++, counter++) {
                    String op;
                    if (bias == 0 && random.nextInt(4) != 0) {
                        op = pushOrPop(model, list, element(counter), random.nextInt(2));
                    } else if (bias == 1 && !model.isEmpty() && random.nextInt(4) != 0) {
                        op = pushOrPop(model, list, null, 2 + random.nextInt(2));
                    } else if (random.nextInt(3) == 0) {
                        op = step(random, model, list, counter);
                    } else {
                        op = pushOrPop(model, list, element(counter), random.nextInt(model.isEmpty() ? 2 : 4));
                    }
                    if (i % 97 == 0 || model.size() < 40) {
                        assertSame(model, list, "seed " + seed + " run " + run + " step " + i + " " + op);
                    }
                }
                assertSame(model, list, "seed " + seed + " after run " + run);
                assertSame(model, list.copy(), "seed " + seed + " a copy after run " + run);
            }
            // emptied, it counts its structure alone: every command took off the bytes of what it removed
            while (!model.isEmpty()) {
                pushOrPop(model, list, null, 2);
            }
            long structure = list.bytes();
            assertTrue(structure >= 48 + 16 + 4 + 16 + 4 * 8 && structure <= 48 + 16 + 4 * 64 + 16 + 4 * ListValue.BLOCK,
                    "seed " + seed + ": an empty list counts " + structure + " bytes");
        }
    }

    @Test
    void aSnapshotReadsTheListAsItWasWhileCommandsChangeIt() {
        for (long seed = 1; seed <= 30; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<byte[]> model = new ArrayList<>();
            ListValue list = new ListValue();
            int counter = 0;
            int fill = random.nextInt(6 * ListValue.BLOCK);
            for (; counter < fill; counter++) {
                pushOrPop(model, list, element(counter), random.nextInt(2));
            }
            List<byte[]> taken = new ArrayList<>(model);
            ListSnapshot snapshot = list.beginSnapshot();
            assertEquals(taken.size(), snapshot.size());
            // first a block added before the first, or the first dropped, then a write into a block the snapshot
            // has still to write all of: a block keeps its number through both
            if (seed % 2 == 0) {
                for (int i = 0; i <= ListValue.BLOCK; i++, counter++) {
                    pushOrPop(model, list, element(counter), 0);
                }
                if (!taken.isEmpty()) {
                    model.set(ListValue.BLOCK + 1, element(-1));
                    list.set(ListValue.BLOCK + 1, element(-1));
                }
            } else if (taken.size() > ListValue.BLOCK) {
                for (int i = 0; i < ListValue.BLOCK; i++) {
                    pushOrPop(model, list, null, 2);
                }
                model.set(0, element(-1));
                list.set(0, element(-1));
            }
            List<byte[]> read = new ArrayList<>();
            long position = 0;
            do {
                for (int i = random.nextInt(300); i > 0; i--, counter++) {
                    String op = step(random, model, list, counter);
                    if (i % 50 == 0) {
                        assertSame(model, list, "seed " + seed + " " + op);
                    }
                }
                position = taken.isEmpty() ? 0 : snapshot.visit(position, 1 + random.nextInt(700), read::add);
            } while (position != 0);
            assertEquals(taken.size(), read.size(), "seed " + seed);
            for (int i = 0; i < taken.size(); i++) {
                assertArrayEquals(taken.get(i), read.get(i), "seed " + seed + ": the snapshot's element " + i);
            }
            assertSame(model, list, "seed " + seed + " after the snapshot");
        }
    }

    /**
     * No push or pop copies the list: from one element to 1 M and back, the structure around the elements (the
     * object, the ring and the blocks, what {@link ListValue#bytes} counts beside them) never changes by more than
     * a block and a ring. A flat array that doubled and halved changed by up to 4 MB at once, copying a million
     * references.
     */
    @Test
    void aPushOrPopChangesTheStructureByAtMostABlock() {
        ListValue list = new ListValue();
        byte[] value = element(7);
        long perElement = KeyTable.arrayBytes(value.length);
        long largestStep = 0;
        long structure = list.bytes();
        int elements = 1_000_000;
        for (int i = 0; i < 2 * elements; i++) {
            boolean growing = i < elements;
            if (growing) {
                list.push(i % 3 == 0, value);
            } else {
                list.pop(i % 3 != 0);
            }
            long now = list.bytes() - perElement * list.size();
            largestStep = Math.max(largestStep, Math.abs(now - structure));
            structure = now;
        }
        assertEquals(0, list.size());
        long block = 16 + 4L * ListValue.BLOCK;
        long ring = 4L * 2 * elements / ListValue.BLOCK; // the ring at its largest doubling
        assertTrue(largestStep <= block + ring, "the structure changed by " + largestStep + " bytes at once (a block: "
                + block + ", the largest ring: " + ring + ")");
    }
}
