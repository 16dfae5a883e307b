package dev.atoll.examples.kv;

import java.util.Arrays;

/** One shard's open client connections, with O(1) add and remove, for the idle check and INFO. */
final class ConnectionList {
    private KvConnection[] items = new KvConnection[16];
    private int size;

    void add(KvConnection c) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        c.listIndex = size;
        items[size++] = c;
    }

    void remove(KvConnection c) {
        int i = c.listIndex;
        if (i < 0) {
            return;
        }
        KvConnection last = items[--size];
        items[i] = last;
        last.listIndex = i;
        items[size] = null;
        c.listIndex = -1;
    }

    int size() {
        return size;
    }

    /** Closes every connection (a clean stop: no command may arrive after the logs' last sync). */
    void closeAll() {
        closeIdleSince(Long.MAX_VALUE);
    }

    /** A log drained below its bound: connections paused for it parse what they hold. */
    void resumePaused() {
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) {
                items[i].resumeIfPaused(); // may close the connection, which moves the last one here
            }
        }
    }

    /** Closes every connection whose last request came before {@code cutoffNanos}. */
    void closeIdleSince(long cutoffNanos) {
        for (int i = size - 1; i >= 0; i--) {
            if (i < size && (cutoffNanos == Long.MAX_VALUE || items[i].lastActiveNanos - cutoffNanos < 0)) {
                items[i].closeNow();
            }
        }
    }
}
