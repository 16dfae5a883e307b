package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table of the keys' expiries: its incremental resize, checked against a model while it grows and shrinks. */
class VolatileKeysTest {
    private static final byte[] NO_VALUE = new byte[0];

    private static KeyTable.Entry entry(int n) {
        return new KeyTable.Entry(("key:" + n).getBytes(StandardCharsets.US_ASCII), NO_VALUE);
    }

    private static void assertExpiries(VolatileKeys table, Map<KeyTable.Entry, Long> model, String when) {
        assertEquals(model.size(), table.count(), when);
        for (Map.Entry<KeyTable.Entry, Long> e : model.entrySet()) {
            assertEquals(e.getValue(), table.expireAt(e.getKey(), e.getKey().hash()), when);
        }
    }

    @Test
    void aResizeMovesARunPerChangeAndEveryExpiryStaysFound() {
        VolatileKeys table = new VolatileKeys();
        Map<KeyTable.Entry, Long> model = new HashMap<>();
        int n = 0;
        while ((table.capacity() < 1 << 12 || table.resizing()) && n < 100_000) {
            KeyTable.Entry e = entry(n);
            table.put(e, false, 1_000 + n);
            model.put(e, 1_000L + n++);
        }
        while (!table.resizing() && n < 100_000) {
            KeyTable.Entry e = entry(n);
            table.put(e, false, 1_000 + n);
            model.put(e, 1_000L + n++);
        }
        assertEquals(3 * (1 << 12) / 4 + 1, n, "grows past three quarters full, and resizes");
        assertEquals(1 << 13, table.capacity());
        assertExpiries(table, model, "the old slots keep what is not moved yet");
        for (KeyTable.Entry e : model.keySet()) {
            table.put(e, true, model.get(e) + 1); // an expiry changed where the key is, old slots or new
            model.put(e, model.get(e) + 1);
        }
        assertTrue(table.resizing(), "changed expiries move nothing");
        while (table.resizing() && n < 100_000) {
            KeyTable.Entry e = entry(n);
            table.put(e, false, 1_000 + n);
            model.put(e, 1_000L + n++);
        }
        // Each change moves a run, several keys (528 changes moved these 3,073), so the resize ends long before the new
        // slots fill: they take 3,072 more keys.
        assertTrue(n - (3 * (1 << 12) / 4 + 1) < 3 * (1 << 12) / 4 / 4, n + " keys: each change moves a run of keys");
        assertExpiries(table, model, "after the resize");

        List<KeyTable.Entry> keys = new ArrayList<>(model.keySet());
        int removed = 0;
        while (!table.resizing() && removed < keys.size()) {
            KeyTable.Entry e = keys.get(removed++);
            table.remove(e);
            model.remove(e);
        }
        assertEquals(1 << 12, table.capacity(), "shrinks below an eighth full");
        assertExpiries(table, model, "while shrinking");
        table.continueResize(1_000_000);
        assertFalse(table.resizing());
        assertExpiries(table, model, "shrunk");
    }

    @Test
    void thePutThatGrowsTheTableAllocatesASegmentOfTheNewSlotsNotAllOfThem() {
        VolatileKeys table = new VolatileKeys();
        int n = 3 * (1 << 18) / 4;
        KeyTable.Entry[] keys = new KeyTable.Entry[n + 1];
        for (int i = 0; i <= n; i++) {
            keys[i] = entry(i);
        }
        for (int i = 0; i < n; i++) {
            table.put(keys[i], false, i);
        }
        long allocated = ThreadAllocation.of(() -> table.put(keys[n], false, n));
        assertTrue(table.resizing() && table.capacity() == 1 << 19);
        assertTrue(allocated < 300_000, allocated + " bytes allocated by the put that grew the table");
    }

    /**
     * Random puts, expiry changes and removals in bursts that keep the table resizing both ways, checked after each
     * burst against a model: the count, every key's expiry, random draws (each a key with an expiry), the slots'
     * statistics; and in the middle of a resize, every key drawn at random in time.
     */
    @Test
    void everyOperationSeesEachKeyWhileTheTableResizes() {
        for (int seed = 0; seed < 6; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            VolatileKeys table = new VolatileKeys();
            Map<KeyTable.Entry, Long> model = new HashMap<>();
            List<KeyTable.Entry> keys = new ArrayList<>();
            int made = 0;
            for (int burst = 0; burst < 60; burst++) {
                boolean grow = keys.size() < 200 || random.nextInt(3) > 0;
                for (int change = 1 + random.nextInt(3000); change > 0; change--) {
                    int kind = random.nextInt(10);
                    if (kind < 2 && !keys.isEmpty()) {
                        KeyTable.Entry e = keys.get(random.nextInt(keys.size()));
                        long expireAt = random.nextLong(1, Long.MAX_VALUE);
                        table.put(e, true, expireAt);
                        model.put(e, expireAt);
                    } else if (keys.isEmpty() || (grow ? kind < 9 : kind == 9)) {
                        KeyTable.Entry e = entry(made++);
                        long expireAt = random.nextLong(1, Long.MAX_VALUE);
                        table.put(e, false, expireAt);
                        model.put(e, expireAt);
                        keys.add(e);
                    } else {
                        KeyTable.Entry e = keys.remove(random.nextInt(keys.size()));
                        table.remove(e);
                        model.remove(e);
                    }
                }
                String when = "seed " + seed + " burst " + burst;
                assertExpiries(table, model, when);
                for (int i = 0; i < 200 && !model.isEmpty(); i++) {
                    assertTrue(model.containsKey(table.random(random)), when);
                }
                StringBuilder stats = new StringBuilder();
                table.describe(stats);
                assertEquals(model.size(), elements(stats.toString()), when + ": " + stats);
                if (table.resizing()) {
                    assertEveryKeyDrawn(table, model.keySet(), random, when);
                }
            }
            for (int i = 0; !table.resizing() && i < 100_000; i++) { // and once more, surely in the middle of one
                KeyTable.Entry e = entry(made++);
                table.put(e, false, 1);
                model.put(e, 1L);
                keys.add(e);
            }
            assertEveryKeyDrawn(table, model.keySet(), random, "seed " + seed + " at the end");
            assertExpiries(table, model, "seed " + seed + " at the end");
            for (KeyTable.Entry e : keys) {
                table.remove(e);
            }
            assertEquals(0, table.count());
            assertNull(table.random(random));
            assertEquals(0, table.footprint());
        }
    }

    private static void assertEveryKeyDrawn(VolatileKeys table, Set<KeyTable.Entry> keys, SplittableRandom random, String when) {
        Set<KeyTable.Entry> drawn = new HashSet<>();
        for (int i = 0; i < 100 * keys.size() && drawn.size() < keys.size(); i++) {
            drawn.add(table.random(random));
        }
        Set<KeyTable.Entry> missing = new HashSet<>(keys);
        missing.removeAll(drawn);
        assertEquals(Set.of(), missing, when + ": every key drawn at random in time, of " + keys.size() + ": "
                + missing.size() + " never were" + (missing.isEmpty() ? "" : ", such as " + new String(missing.iterator().next().data, StandardCharsets.US_ASCII)));
    }

    /** The keys DEBUG HTSTATS's text of the table counts, over its old and new slots. */
    private static long elements(String stats) {
        long keys = 0;
        for (String line : stats.split("\n")) {
            if (line.startsWith(" number of elements: ")) {
                keys += Long.parseLong(line.substring(" number of elements: ".length()));
            }
        }
        return keys;
    }
}
