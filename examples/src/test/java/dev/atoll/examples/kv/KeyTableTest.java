package dev.atoll.examples.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-shard hash table: lookups by byte range, expiry list, and SCAN's guarantee across resizes. */
class KeyTableTest {
    private static final byte[] NO_VALUE = new byte[0];

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static KeyTable.Entry put(KeyTable table, String name) {
        byte[] k = key(name);
        return table.insert(k, 0, k.length, KeyTable.hash(k, 0, k.length), k, 0, k.length);
    }

    private static KeyTable.Entry find(KeyTable table, String name) {
        byte[] padded = key("xx" + name + "yy"); // a range inside a larger array, as in a request
        return table.find(padded, 2, padded.length - 4, KeyTable.hash(padded, 2, padded.length - 4));
    }

    /**
     * A replica's swap: the table takes another's keys, expiries and memory in one step and the other is left empty;
     * a snapshot begun on the table after a finished one (its mark flipped) then takes every new key exactly once.
     */
    @Test
    void takesAnotherTablesKeysWhole() {
        KeyTable table = new KeyTable();
        put(table, "old");
        table.beginSnapshot((e, lookup) -> { });
        table.endSnapshot(table.walkSnapshot(0, Integer.MAX_VALUE) == 0); // the mark flipped: the new keys must not carry it
        KeyTable fresh = new KeyTable();
        for (int i = 0; i < 1000; i++) {
            put(fresh, "k" + i);
        }
        fresh.setExpire(find(fresh, "k7"), 123_456);
        long used = fresh.usedBytes();
        table.takeKeysOf(fresh);
        assertEquals(1000, table.size());
        assertNull(find(table, "old"));
        assertEquals(123_456, table.expireAt(find(table, "k7")));
        assertEquals(1, table.volatileCount());
        assertEquals(used, table.usedBytes());
        assertEquals(0, fresh.size());
        assertEquals(0, fresh.volatileCount());
        assertNull(find(fresh, "k1"));
        Set<String> snapshot = new HashSet<>();
        table.beginSnapshot((e, lookup) -> assertTrue(snapshot.add(new String(e.key(), StandardCharsets.UTF_8)), "twice"));
        assertNotNull(find(table, "k3")); // a lookup serializes it first
        long cursor = 0;
        do {
            cursor = table.walkSnapshot(cursor, 16);
        } while (cursor != 0);
        table.endSnapshot(true);
        assertEquals(1000, snapshot.size());
    }

    @Test
    void findsByByteRangeGrowsShrinksAndTracksExpiries() {
        KeyTable table = new KeyTable();
        for (int i = 0; i < 10_000; i++) {
            put(table, "k" + i);
        }
        assertEquals(10_000, table.size());
        assertNotNull(find(table, "k1234"));
        assertNull(find(table, "k10000"));
        KeyTable.Entry e = find(table, "k7");
        table.setExpire(e, 42);
        assertEquals(1, table.volatileCount());
        assertEquals(e, table.randomVolatile(new SplittableRandom(1)));
        for (int i = 0; i < 10_000; i++) {
            table.remove(find(table, "k" + i));
        }
        assertEquals(0, table.size());
        assertEquals(0, table.volatileCount());
    }

    @Test
    void aFullScanReturnsEveryKeyPresentThroughoutWhileTheTableGrowsAndShrinks() {
        SplittableRandom random = new SplittableRandom(7);
        for (int run = 0; run < 20; run++) {
            KeyTable table = new KeyTable();
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                put(table, "stable" + i);
                stable.add("stable" + i);
            }
            Set<String> seen = new HashSet<>();
            long cursor = 0;
            int churn = 0;
            do {
                cursor = table.scan(cursor, 1 + random.nextInt(40),
                        entry -> seen.add(new String(entry.key(), StandardCharsets.UTF_8)));
                // Between calls, other keys come and go in bulk, forcing resizes both ways.
                if (random.nextBoolean()) {
                    for (int i = 0; i < 2000; i++) {
                        put(table, "churn" + churn++);
                    }
                } else {
                    for (int i = churn - 1; i >= 0; i--) {
                        KeyTable.Entry gone = find(table, "churn" + i);
                        if (gone != null) {
                            table.remove(gone);
                        }
                    }
                }
            } while (cursor != 0);
            assertTrue(seen.containsAll(stable), "run " + run + ": missed " + stable.stream()
                    .filter(k -> !seen.contains(k)).limit(5).toList());
        }
    }

    @Test
    void aStringStoredAfterItsKeyLeavesTheKeyIntactAsItGrowsShrinksAndTurnsAggregate() {
        KeyTable table = new KeyTable();
        KeyTable.Entry e = put(table, "key:000000000001"); // 16 bytes of key, then the value "key:000000000001"
        assertEquals(16, e.keyLength());
        assertEquals(32, e.data.length); // one array for both
        for (String value : new String[] {"v1", "", "1234567890123456", "v2"}) { // across the split, both ways
            byte[] v = key(value);
            e.setString(table, v, 0, v.length);
            assertEquals(value, new String(e.bytes(), StandardCharsets.UTF_8));
            assertEquals("key:000000000001", new String(e.key(), StandardCharsets.UTF_8));
            assertNotNull(find(table, "key:000000000001"), value);
        }
        byte[] array = e.data; // 24 bytes: "v2" and room to 8
        for (String value : new String[] {"1234", "12345678", "v3"}) {
            byte[] v = key(value);
            e.setString(table, v, 0, v.length);
            assertTrue(e.data == array, "a value within the array's heap bytes is written over it: " + value);
            assertEquals(value, new String(e.bytes(), StandardCharsets.UTF_8));
            assertEquals("key:000000000001", new String(e.key(), StandardCharsets.UTF_8));
        }
        byte[] longer = new byte[100];
        e.setString(table, longer, 0, longer.length); // past the array: a new one, the key copied first
        assertTrue(e.data != array);
        assertEquals("key:000000000001", new String(e.data, 0, e.keyLength(), StandardCharsets.UTF_8));
        assertEquals(100, e.bytes().length);
        e.setString(table, key("x"), 0, 1); // far shorter: a smaller array, not 100 bytes kept for one
        assertEquals(24, e.data.length);
        e.append(table, key("yz"), 0, 2, Integer.MAX_VALUE);
        assertEquals("xyz", new String(e.bytes(), StandardCharsets.UTF_8));
        assertTrue(e.raw());
        e.setAggregate(table, new HashValue()); // an aggregate's key array is the key alone: logs write it whole
        assertEquals(16, e.data.length);
        assertEquals("key:000000000001", new String(e.data, StandardCharsets.UTF_8));
        assertNotNull(find(table, "key:000000000001"));
        e.setString(table, key("back"), 0, 4);
        assertEquals("back", new String(e.bytes(), StandardCharsets.UTF_8));
        assertEquals("key:000000000001", new String(e.key(), StandardCharsets.UTF_8));
        assertTrue(!e.raw() && !e.notInt() && e.isString());
    }

    @Test
    void aKeyOf64KiBOrMoreKeepsItsStringApartAndIsFoundByItsBytes() {
        KeyTable table = new KeyTable();
        byte[] longKey = new byte[70_000];
        longKey[69_999] = 1;
        byte[] similar = longKey.clone();
        similar[69_999] = 2; // same length, differs in the last byte only
        KeyTable.Entry e = table.insert(longKey, 0, longKey.length, KeyTable.hash(longKey, 0, longKey.length), key("v"), 0, 1);
        table.insert(similar, 0, similar.length, KeyTable.hash(similar, 0, similar.length), key("w"), 0, 1);
        assertEquals(70_000, e.keyLength());
        assertTrue(e.valueArray() != e.data, "apart: the key's length does not fit the bits kept for it");
        assertTrue(e == table.find(longKey, 0, longKey.length, KeyTable.hash(longKey, 0, longKey.length)));
        e.append(table, key("xyz"), 0, 3, Integer.MAX_VALUE);
        assertEquals("vxyz", new String(e.bytes(), StandardCharsets.UTF_8));
        assertEquals("w", new String(table.find(similar, 0, similar.length, KeyTable.hash(similar, 0, similar.length)).bytes(), StandardCharsets.UTF_8));
        assertEquals(70_000, e.key().length);
        assertEquals(KeyTable.footprint(e) + KeyTable.footprint(table.find(similar, 0, similar.length, KeyTable.hash(similar, 0, similar.length))), table.usedBytes());
    }

    @Test
    void theTableCountsWhatAStringsArraysTakeAsTheyChange() {
        KeyTable table = new KeyTable();
        KeyTable.Entry e = put(table, "key:000000000001");
        assertEquals(KeyTable.ENTRY_BYTES + 48, table.usedBytes()); // 32 bytes in one array: 16 of header
        byte[] longer = new byte[100];
        e.setString(table, longer, 0, longer.length);
        assertEquals(KeyTable.ENTRY_BYTES + 16 + 120, table.usedBytes());
        e.append(table, longer, 0, 100, Integer.MAX_VALUE); // greedy: room for twice the length
        assertEquals(KeyTable.footprint(e), table.usedBytes());
        assertTrue(table.usedBytes() > KeyTable.ENTRY_BYTES + 16 + 216);
        e.setAggregate(table, new HashValue());
        assertEquals(KeyTable.ENTRY_BYTES + 32 + new HashValue().bytes(), table.usedBytes());
        e.setString(table, longer, 0, 3);
        assertEquals(KeyTable.ENTRY_BYTES + 16 + 24, table.usedBytes());
        KeyTable.Entry other = put(table, "other");
        table.remove(e);
        assertEquals(KeyTable.footprint(other), table.usedBytes());
        table.remove(other);
        assertEquals(0, table.usedBytes());
    }

    @Test
    void appendsGrowTheValueGreedilySoFewCopiesAreMade() {
        KeyTable table = new KeyTable();
        KeyTable.Entry e = put(table, "big");
        byte[] chunk = new byte[64 * 1024];
        int copies = 0;
        for (int i = 0; i < 256; i++) {
            chunk[0] = (byte) i;
            byte[] before = e.data;
            e.append(table, chunk, 0, chunk.length, Integer.MAX_VALUE);
            copies += e.data != before ? 1 : 0;
            assertEquals(3 + (i + 1) * chunk.length, e.length);
            assertEquals((byte) i, e.valueArray()[e.valueOffset() + 3 + i * chunk.length]);
        }
        // Doubled up to 1 MiB, then 1 MiB at a time over 16 MiB: about 25 copies, not 256.
        assertTrue(copies <= 30, copies + " copies");
        assertEquals("big", new String(e.valueArray(), e.valueOffset(), 3, StandardCharsets.UTF_8));
        assertEquals(e.length, e.bytes().length);
    }

    @Test
    void growthStopsAtTheLimit() {
        KeyTable table = new KeyTable();
        KeyTable.Entry e = put(table, "k");
        e.append(table, new byte[100], 0, 100, 150);
        assertTrue(e.data.length - e.keyLength() <= 150, "capacity " + (e.data.length - e.keyLength()));
        assertEquals(101, e.length);
    }

    @Test
    void keepsAtMostOneKeyPerBucketAndNoFewerAsRedisDoes() {
        KeyTable table = new KeyTable();
        for (int i = 0; i < 1024; i++) {
            put(table, "k" + i);
        }
        assertEquals(1024, table.buckets(), "1024 keys in 1024 buckets: a slot is 8 bytes a key, not 16");
        put(table, "k1024");
        assertEquals(2048, table.buckets());
        assertNotNull(find(table, "k0"));
        assertNotNull(find(table, "k1024"));
    }

    /**
     * A resize moves the keys a bucket per change, not all at once (2 M keys took 1.3 s at once): the insert
     * that grows the table leaves the old array to drain, every key stays found meanwhile, and the inserts that
     * follow (or the shard's periodic work) finish it, one bucket each.
     */
    @Test
    void aResizeMovesABucketPerChangeAndEveryKeyStaysFound() {
        KeyTable table = new KeyTable();
        for (int i = 0; i < 1024; i++) {
            put(table, "k" + i);
        }
        assertFalse(table.resizing());
        put(table, "k1024");
        assertTrue(table.resizing(), "the insert that grew the table moved only a bucket");
        int inserts = 0;
        while (table.resizing()) {
            put(table, "more" + inserts++);
            for (int i = 0; i <= 1024; i += 7) {
                assertNotNull(find(table, "k" + i), "k" + i + " after " + inserts + " inserts");
            }
        }
        assertTrue(inserts > 50 && inserts <= 1024, "drained in " + inserts + " inserts");
        for (int i = 0; i <= 1024; i++) {
            assertNotNull(find(table, "k" + i));
        }

        for (int i = 0; i <= 1024; i++) {   // shrinks the same way, and the periodic work finishes a resize
            table.remove(find(table, "k" + i));
        }
        for (int i = 50; i < inserts; i++) {
            table.remove(find(table, "more" + i));
        }
        assertTrue(table.resizing() && table.buckets() == 1024, "50 keys in 2048 buckets: halving");
        table.continueResize(Integer.MAX_VALUE);
        assertFalse(table.resizing());
        assertEquals(50, table.size());
        for (int i = 0; i < 50; i++) {
            assertNotNull(find(table, "more" + i));
        }
    }

    /**
     * The new array of a resize is made a segment (64 KB) at a time as keys go into it, not whole: the insert that
     * grows a table of 2^17 keys allocates a segment or two, where the whole array of 2^18 buckets is 1 MB with
     * compressed references and 2 MB without (the JVM zeroes all of it at once; 1,049,296 bytes when it was made whole).
     */
    @Test
    void theInsertThatGrowsTheTableAllocatesASegmentOfTheNewArrayNotAllOfIt() {
        KeyTable table = new KeyTable();
        byte[][] keys = new byte[(1 << 17) + 1][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key("k" + i);
        }
        for (int i = 0; i < 1 << 17; i++) {
            table.insert(keys[i], KeyTable.hash(keys[i], 0, keys[i].length), NO_VALUE);
        }
        byte[] last = keys[1 << 17];
        long allocated = ThreadAllocation.of(() -> table.insert(last, KeyTable.hash(last, 0, last.length), NO_VALUE));
        assertTrue(table.resizing() && table.buckets() == 1 << 18);
        assertTrue(allocated < 200_000, allocated + " bytes allocated by the insert that grew the table");
    }

    /**
     * Random inserts and removals in bursts that keep the table resizing both ways, checked against a model after
     * each burst: lookups, the count, a walk of every key (each once), and random keys (each one in the table);
     * then, in the middle of a resize, every key drawn at random in time, and a snapshot that takes every key
     * present at its start exactly once while keys come and go and the table resizes under its walk.
     */
    @Test
    void everyOperationSeesEachKeyOnceWhileTheTableResizes() {
        for (int seed = 0; seed < 6; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            KeyTable table = new KeyTable();
            List<String> model = new ArrayList<>();
            int[] made = {0};
            for (int burst = 0; burst < 60; burst++) {
                boolean grow = model.size() < 200 || random.nextInt(3) > 0;
                change(table, model, made, random, 1 + random.nextInt(1500), grow ? 1.0 : 0.0);
                assertEquals(model.size(), table.size());
                List<String> walked = new ArrayList<>();
                table.forEach(e -> walked.add(text(e)));
                assertEquals(model.size(), walked.size(), "seed " + seed + " burst " + burst + ": each key once");
                assertEquals(new HashSet<>(model), new HashSet<>(walked));
                for (String k : model) {
                    assertNotNull(find(table, k), k);
                }
                assertNull(find(table, "k" + made[0]));
                for (int draw = 0; draw < 50 && !model.isEmpty(); draw++) {
                    assertTrue(model.contains(text(table.random(random))));
                }
            }
            for (int room = table.buckets(); !table.resizing(); room--) {
                assertTrue(room >= 0, "the table began no resize when it held as many keys as buckets");
                change(table, model, made, random, 1, 1.0);
            }
            Set<String> drawn = new HashSet<>();
            for (int draw = 0; draw < 50 * model.size() && drawn.size() < model.size(); draw++) {
                drawn.add(text(table.random(random)));
            }
            assertEquals(model.size(), drawn.size(), "keys in either array are drawn");

            Set<String> atStart = new HashSet<>(model);
            List<String> taken = new ArrayList<>();
            table.beginSnapshot((entry, lookup) -> taken.add(text(entry)));
            long cursor = 0;
            do {
                cursor = table.walkSnapshot(cursor, 1 + random.nextInt(20));
                change(table, model, made, random, random.nextInt(30), 0.5);   // a removal looks its key up first
            } while (cursor != 0);
            table.endSnapshot(true);
            assertEquals(atStart.size(), taken.size(), "seed " + seed + ": each key of the start once");
            assertEquals(atStart, new HashSet<>(taken));
        }
    }

    /** Makes {@code changes} inserts (each with probability {@code insertShare}) or removals of a random key. */
    private static void change(KeyTable table, List<String> model, int[] made, SplittableRandom random, int changes,
                               double insertShare) {
        for (int c = 0; c < changes; c++) {
            if (model.isEmpty() || random.nextDouble() < insertShare) {
                String k = "k" + made[0]++;
                put(table, k);
                model.add(k);
            } else {
                int at = random.nextInt(model.size());
                String k = model.get(at);
                model.set(at, model.get(model.size() - 1));
                model.remove(model.size() - 1);
                table.remove(find(table, k));
            }
        }
    }

    private static String text(KeyTable.Entry e) {
        return new String(e.key(), StandardCharsets.UTF_8);
    }

    @Test
    void keepsEachKeysExpiryBesideTheListOfKeysWithOne() {
        KeyTable table = new KeyTable();
        java.util.Map<String, Long> model = new java.util.HashMap<>();
        SplittableRandom random = new SplittableRandom(18);
        for (int i = 0; i < 2_000; i++) {
            put(table, "k" + i);
        }
        for (int step = 0; step < 20_000; step++) {
            String name = "k" + random.nextInt(2_000);
            long expireAt = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(1_000_000);
            table.setExpire(find(table, name), expireAt); // clearing one moves the last of the list into its place
            if (expireAt == 0) {
                model.remove(name);
            } else {
                model.put(name, expireAt);
            }
        }
        assertEquals(model.size(), table.volatileCount());
        for (int i = 0; i < 2_000; i++) {
            KeyTable.Entry e = find(table, "k" + i);
            long expected = model.getOrDefault("k" + i, 0L);
            assertEquals(expected, table.expireAt(e), "k" + i);
            assertEquals(expected != 0 && expected <= 500_000, table.expiredBy(e, 500_000), "k" + i);
            assertEquals(expected != 0 && expected <= 500_000, table.expiredBy(e, e.hash(), 500_000), "k" + i);
        }
        for (String name : model.keySet()) {
            table.remove(find(table, name)); // its expiry goes with it
        }
        assertEquals(0, table.volatileCount());
    }

    @Test
    void accessFieldsReadAcrossTheirClocksWrap() {
        long wrap = 1L << 32; // the LRU field keeps the low 32 bits of the ms time
        long before = 5 * wrap - 1_000;
        int field = Eviction.lruField(before);
        assertEquals(3_000, Eviction.idleMillis(field, before + 3_000)); // across the wrap of the low bits
        assertEquals(1, Eviction.idleMillis(Eviction.lruField(wrap * 7), wrap * 7)); // never 0 ("not accessed yet"): 1 ms earlier
        long minute = 60_000;
        long lastMinuteOfAClock = (65_536L * 300 - 1) * minute; // the LFU field keeps 16 bits of minutes
        int counter = Eviction.lfuField(20, lastMinuteOfAClock);
        assertEquals(20, Eviction.decayed(counter, lastMinuteOfAClock, 1));
        assertEquals(17, Eviction.decayed(counter, lastMinuteOfAClock + 3 * minute, 1)); // one a minute, across the wrap
    }
}
