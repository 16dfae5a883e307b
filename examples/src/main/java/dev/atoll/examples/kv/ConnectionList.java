package dev.atoll.examples.kv;

import dev.atoll.examples.SwapList;

import java.util.function.Consumer;

/** One shard's open client connections, with O(1) add and remove, for the idle and output checks and INFO. */
final class ConnectionList {
    private final SwapList<KvConnection> items = new SwapList<>();

    void add(KvConnection c) {
        items.add(c);
    }

    void remove(KvConnection c) {
        items.remove(c);
    }

    int size() {
        return items.size();
    }

    /** Closes every connection (a clean stop: no command may arrive after the logs' last sync). */
    void closeAll() {
        closeIdleSince(Long.MAX_VALUE);
    }

    /** A log drained below its bound, or CLIENT PAUSE eased: connections paused for it parse what they hold. */
    void resumePaused() {
        forEach(KvConnection::resumeIfPaused);
    }

    /** Calls {@code action} on every connection; it may close connections (the last one moves into the gap). */
    void forEach(Consumer<KvConnection> action) {
        items.forEach(action);
    }

    /** The connection that holds the most replies, or null when none holds any. */
    KvConnection holdingMost() {
        KvConnection most = null;
        for (int i = 0; i < items.size(); i++) {
            KvConnection c = items.get(i);
            if (c.heldReplyBytes() > (most == null ? 0 : most.heldReplyBytes())) {
                most = c;
            }
        }
        return most;
    }

    /** Closes every connection whose last request came before {@code cutoffNanos}. */
    void closeIdleSince(long cutoffNanos) {
        items.forEach(c -> {
            if (cutoffNanos == Long.MAX_VALUE || (!c.fromMaster() && c.lastActiveNanos - cutoffNanos < 0)) { // as Redis: the master never times out
                c.closeNow();
            }
        });
    }
}
