package dev.atoll.examples.kv;

import java.util.Arrays;
import java.util.function.Consumer;

/** One shard's open client connections, with O(1) add and remove, for the idle and output checks and INFO. */
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
        forEach(KvConnection::resumeIfPaused);
    }

    /** Calls {@code action} on every connection; it may close connections (the last one moves into the gap). */
    void forEach(Consumer<KvConnection> action) {
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) {
                action.accept(items[i]);
            }
        }
    }

    /** The connection that holds the most replies, or null when none holds any. */
    KvConnection holdingMost() {
        KvConnection most = null;
        for (int i = 0; i < size; i++) {
            if (items[i].heldReplyBytes() > (most == null ? 0 : most.heldReplyBytes())) {
                most = items[i];
            }
        }
        return most;
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
