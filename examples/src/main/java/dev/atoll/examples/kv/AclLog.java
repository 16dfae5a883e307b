package dev.atoll.examples.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * ACL LOG: the refusals of the whole server, newest first, as Redis 7.0 keeps them — authentications
 * (AUTH, HELLO AUTH: reason {@code auth}) and commands, keys and channels a user may not use (reasons
 * {@code command}, {@code key}, {@code channel}; context {@code toplevel}, {@code multi} when queued in
 * MULTI, {@code lua} in a script). A refusal like one logged less than 60 seconds ago (same reason,
 * context, object and user name) adds to its count and takes its time and client; at most 128 entries
 * (Redis's acllog-max-len). One per node; a refusal is rare and far from the data path, so a lock
 * guards it (shards log and read it from their own threads).
 */
final class AclLog {
    /** {@code acllog-max-len}: the entries kept. */
    private final java.util.function.LongSupplier maxLen;

    AclLog(java.util.function.LongSupplier maxLen) {
        this.maxLen = maxLen;
    }
    private static final long GROUPING_MILLIS = 60_000;

    /** One entry; the fields after the key are what the last refusal like it changed. */
    private static final class Entry {
        final String reason;
        final String context;
        final String object;
        final String username;
        long count = 1;
        long millis;
        String clientInfo;

        Entry(String reason, String context, String object, String username, long millis, String clientInfo) {
            this.reason = reason;
            this.context = context;
            this.object = object;
            this.username = username;
            this.millis = millis;
            this.clientInfo = clientInfo;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>(); // newest first

    /** A refused authentication by {@code object} (the command's name as sent) for {@code username}. */
    void refusedAuth(String object, String username, String context, String clientInfo) {
        add("auth", context, object, username, clientInfo);
    }

    /** A refusal for {@code reason} ({@code command}, {@code key}, {@code channel}) of {@code object} in {@code context}. */
    synchronized void add(String reason, String context, String object, String username, String clientInfo) {
        long now = System.currentTimeMillis();
        for (Iterator<Entry> it = entries.iterator(); it.hasNext();) {
            Entry e = it.next();
            if (e.reason.equals(reason) && e.context.equals(context) && e.object.equals(object) && e.username.equals(username)
                    && now - e.millis < GROUPING_MILLIS) {
                it.remove();
                e.count++;
                e.millis = now;
                e.clientInfo = clientInfo;
                entries.addFirst(e);
                return;
            }
        }
        entries.addFirst(new Entry(reason, context, object, username, now, clientInfo));
        while (entries.size() > maxLen.getAsLong()) { // a lowered acllog-max-len trims at the next entry, as Redis's
            entries.removeLast();
        }
    }

    synchronized void reset() {
        entries.clear();
    }

    /** ACL LOG [count]: the newest {@code count} entries in Redis 7.0's shape. */
    void reply(long count, ReplyWriter out) {
        List<Entry> newest = new ArrayList<>();
        long now = System.currentTimeMillis();
        synchronized (this) {
            for (Entry e : entries) {
                if (newest.size() >= count) {
                    break;
                }
                Entry copy = new Entry(e.reason, e.context, e.object, e.username, e.millis, e.clientInfo);
                copy.count = e.count;
                newest.add(copy);
            }
        }
        out.arrayHeader(newest.size());
        for (Entry e : newest) {
            out.mapHeader(7).bulk("count").integer(e.count).bulk("reason").bulk(e.reason).bulk("context").bulk(e.context)
                    .bulk("object").bulk(e.object).bulk("username").bulk(e.username).bulk("age-seconds");
            ZSetAlgebra.score(out, (now - e.millis) / 1000.0);
            out.bulk("client-info").bulk(e.clientInfo);
        }
    }
}
