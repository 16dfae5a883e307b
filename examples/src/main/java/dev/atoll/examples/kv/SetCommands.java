package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The set commands, as Redis 7.0's t_set.c answers them: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER,
 * SMEMBERS, SRANDMEMBER, SPOP, SSCAN on the shard that owns the key; SMOVE, SINTER, SINTERCARD,
 * SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE whole on the shard that owns all their keys
 * (across shards, {@link SetsAcrossShards} gathers the sets and uses {@link #answer}, {@link
 * #compute} and {@link #store} the same way). A set with no member left is no key, as in Redis.
 * Logs what it changes as SADD, SREM and DEL records (SPOP as the SREM of what it took, or the DEL
 * of a set it emptied, as Redis propagates it; a stored result as the destination's whole value).
 */
final class SetCommands {
    static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    private static final byte[] LIMIT = ReplyWriter.asciiBytes("limit");
    /** SPOP with a count rebuilds the set from the members that stay when they are at most a fifth of those taken: Redis's SPOP_MOVE_STRATEGY_MUL. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;
    /** Members per SREM record of a SPOP. */
    private static final int MEMBERS_PER_RECORD = 1024;

    private final KvShard shard;
    /** Parses members that may be integers (its {@code number} only). */
    private final Request scratch = new Request();
    /** The one member of a record logged for one (SPOP, SMOVE): no array per command. */
    private final byte[][] one = new byte[1][];

    SetCommands(KvShard shard) {
        this.shard = shard;
    }

    void run(Command command, Request r, long now, ReplyWriter out) {
        switch (command) {
            case SMOVE -> move(r, now, out);
            case SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> combine(command, r, now, out);
            default -> single(command, r, now, out);
        }
    }

    /** The commands of one key: their arguments are checked before the key's type, in Redis's order. */
    private void single(Command command, Request r, long now, ReplyWriter out) {
        long count = 0; // SRANDMEMBER's, SPOP's
        long cursor = 0; // SSCAN's
        boolean withCount = r.count() > 2 && (command == Command.SRANDMEMBER || command == Command.SPOP);
        if (withCount) {
            if (r.count() > 3) {
                out.error(KvShard.SYNTAX);
                return;
            }
            if (command == Command.SPOP && (!r.longAt(2) || r.number < 0)) {
                out.error(NOT_POSITIVE);
                return;
            }
            if (!r.longAt(2)) {
                out.error(KvShard.NOT_INTEGER);
                return;
            }
            if (r.number == Long.MIN_VALUE) {
                out.error("ERR value is out of range, value must between " + -Long.MAX_VALUE + " and " + Long.MAX_VALUE);
                return;
            }
            count = r.number;
        }
        if (command == Command.SSCAN) {
            if (!cursorAt(r, 2)) {
                out.error("ERR invalid cursor");
                return;
            }
            cursor = r.number;
        }
        byte[] b = r.bytes;
        KeyTable.Entry e = shard.live(b, r.offset(1), r.length(1), now);
        if (e != null && !(e.aggregate() instanceof SetValue)) {
            out.error(KvShard.WRONGTYPE);
            return;
        }
        SetValue set = e == null ? null : (SetValue) e.aggregate();
        if (e != null && command.writes) {
            e.version++; // changed, or as good as: a move of the key in progress keeps its source
        }
        switch (command) {
            case SADD -> {
                if (set == null) {
                    set = new SetValue();
                    shard.created(shard.table.insert(r.copy(1), KeyTable.hash(b, r.offset(1), r.length(1)), set), now);
                }
                int added = 0;
                for (int i = 2; i < r.count(); i++) {
                    added += set.add(b, r.offset(i), r.length(i), scratch) ? 1 : 0;
                }
                if (added > 0 && shard.aof != null) {
                    shard.aof.command(Aof.SADD, r);
                }
                out.integer(added);
            }
            case SREM -> {
                int removed = 0;
                for (int i = 2; i < r.count() && set != null; i++) {
                    removed += set.remove(b, r.offset(i), r.length(i), scratch) ? 1 : 0;
                }
                if (removed > 0) {
                    if (shard.aof != null) {
                        shard.aof.command(Aof.SREM, r);
                    }
                    if (set.size() == 0) {
                        shard.table.remove(e); // the replay of the SREM removes it too
                    }
                }
                out.integer(removed);
            }
            case SCARD -> out.integer(set == null ? 0 : set.size());
            case SISMEMBER -> out.integer(set != null && set.contains(b, r.offset(2), r.length(2), scratch) ? 1 : 0);
            case SMISMEMBER -> {
                out.arrayHeader(r.count() - 2);
                for (int i = 2; i < r.count(); i++) {
                    out.integer(set != null && set.contains(b, r.offset(i), r.length(i), scratch) ? 1 : 0);
                }
            }
            case SMEMBERS -> {
                out.setHeader(set == null ? 0 : set.size());
                if (set != null) {
                    set.writeMembers(out);
                }
            }
            case SRANDMEMBER -> randomMembers(set, withCount, count, out);
            case SPOP -> pop(e, set, withCount, count, out);
            case SSCAN -> scan(set, cursor, r, out);
            default -> throw new IllegalArgumentException(command + " is not a set command");
        }
    }

    /** SRANDMEMBER key [count]: a negative count may repeat members, a positive one does not. */
    private void randomMembers(SetValue set, boolean withCount, long count, ReplyWriter out) {
        if (!withCount) {
            if (set == null) {
                out.nullBulk();
            } else {
                out.bulk(set.random(shard.random));
            }
            return;
        }
        if (set == null || count == 0) {
            out.arrayHeader(0);
            return;
        }
        int size = set.size();
        if (count < 0 || count == 1) {
            long n = count < 0 ? -count : 1;
            out.arrayHeader(n);
            for (long i = 0; i < n && !out.full(); i++) { // cut at the client's limit: never sent, as MGET
                out.bulk(set.random(shard.random));
            }
            return;
        }
        if (count >= size) {
            out.arrayHeader(size);
            set.writeMembers(out);
            return;
        }
        int n = (int) count;
        out.arrayHeader(n);
        for (byte[] member : distinct(set, n)) {
            out.bulk(member);
        }
    }

    /**
     * {@code n} distinct random members, fewer than the set holds: a partial shuffle of them all when
     * that is most of them or the set is small (an intset), else random picks until {@code n} differ
     * (a hashtable's member arrays are its own, so identity tells them apart) — Redis's cases 3 and 4.
     */
    private List<byte[]> distinct(SetValue set, int n) {
        if (set.encoding().equals("intset") || (long) n * 3 > set.size()) {
            byte[][] members = set.members();
            for (int i = 0; i < n; i++) {
                int j = i + shard.random.nextInt(members.length - i);
                byte[] t = members[i];
                members[i] = members[j];
                members[j] = t;
            }
            return Arrays.asList(members).subList(0, n);
        }
        Set<byte[]> picked = Collections.newSetFromMap(new IdentityHashMap<>());
        while (picked.size() < n) {
            picked.add(set.random(shard.random));
        }
        return new ArrayList<>(picked);
    }

    /** SPOP key [count]. */
    private void pop(KeyTable.Entry e, SetValue set, boolean withCount, long count, ReplyWriter out) {
        if (!withCount) {
            if (set == null) {
                out.nullBulk();
                return;
            }
            byte[] member = set.random(shard.random);
            set.remove(member, 0, member.length, scratch);
            logMember(Aof.SREM, e.key(), member);
            if (set.size() == 0) {
                shard.table.remove(e);
            }
            out.bulk(member);
            return;
        }
        if (set == null || count == 0) {
            out.setHeader(0);
            return;
        }
        int size = set.size();
        if (count >= size) { // all of it: the key goes, logged as its DEL; in the order of Redis's copy (SUNION's)
            SetValue all = compute(Command.SUNION, new SetValue[] {set}, scratch);
            out.setHeader(size);
            all.writeMembers(out);
            shard.remove(e);
            return;
        }
        byte[][] popped;
        long remaining = size - count;
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            popped = new byte[(int) count][];
            for (int i = 0; i < popped.length; i++) {
                popped[i] = set.random(shard.random);
                set.remove(popped[i], 0, popped[i].length, scratch);
            }
        } else { // most of it: the members that stay make a new set (an intset when they allow), as in Redis
            SetValue kept = new SetValue();
            for (long i = 0; i < remaining; i++) {
                byte[] member = set.random(shard.random);
                set.remove(member, 0, member.length, scratch);
                kept.add(member, scratch);
            }
            popped = set.members();
            e.setAggregate(shard.table, kept);
        }
        logMembers(Aof.SREM, e.key(), popped);
        out.setHeader(popped.length);
        for (byte[] member : popped) {
            out.bulk(member);
        }
    }

    /** SSCAN key cursor [MATCH pattern] [COUNT count]. */
    private void scan(SetValue set, long cursor, Request r, ReplyWriter out) {
        if (set == null) {
            out.arrayHeader(2).bulk("0").arrayHeader(0);
            return;
        }
        ScanOptions options = ScanOptions.parse(r, 3, false, out);
        if (options == null) {
            return;
        }
        List<byte[]> found = new ArrayList<>();
        long next = set.scan(cursor, options.count(), member -> {
            if (options.matches(member)) {
                found.add(member);
            }
        });
        out.arrayHeader(2).bulk(Long.toUnsignedString(next)).arrayHeader(found.size());
        found.forEach(out::bulk);
    }

    /**
     * A SCAN cursor as Redis 7.0 reads it with {@code strtoul}: decimal, a sign allowed ("-1" is
     * 2^64 - 1), leading zeros too, the empty string 0; no space first, nothing after, no overflow.
     * The cursor goes to {@code r.number}; false when it is invalid.
     */
    static boolean cursorAt(Request r, int i) {
        byte[] b = r.bytes;
        int at = r.offset(i);
        int end = at + r.length(i);
        boolean negative = false;
        if (at < end && (b[at] == '+' || b[at] == '-')) {
            negative = b[at++] == '-';
            if (at == end) {
                return false;
            }
        }
        long value = 0;
        for (; at < end; at++) {
            int digit = b[at] - '0';
            if (digit < 0 || digit > 9 || Long.compareUnsigned(value, Long.divideUnsigned(-1L, 10)) > 0) {
                return false;
            }
            long next = value * 10 + digit;
            if (Long.compareUnsigned(next, value * 10) < 0) {
                return false;
            }
            value = next;
        }
        r.number = negative ? -value : value;
        return true;
    }

    /** SMOVE source destination member, both keys here. */
    private void move(Request r, long now, ReplyWriter out) {
        byte[] b = r.bytes;
        KeyTable.Entry source = shard.live(b, r.offset(1), r.length(1), now);
        KeyTable.Entry target = shard.live(b, r.offset(2), r.length(2), now);
        if (source == null) {
            out.integer(0);
            return;
        }
        if (!(source.aggregate() instanceof SetValue from) || (target != null && !(target.aggregate() instanceof SetValue))) {
            out.error(KvShard.WRONGTYPE);
            return;
        }
        if (source == target) {
            out.integer(from.contains(b, r.offset(3), r.length(3), scratch) ? 1 : 0);
            return;
        }
        if (!from.remove(b, r.offset(3), r.length(3), scratch)) {
            out.integer(0);
            return;
        }
        source.version++;
        byte[] member = r.copy(3);
        logMember(Aof.SREM, source.key(), member);
        if (from.size() == 0) {
            shard.table.remove(source);
        }
        addMember(target, r.copy(2), member, now);
        out.integer(1);
    }

    /** Adds {@code member} to the set of {@code target} (the entry of {@code key}; null: made) and logs it. */
    void addMember(KeyTable.Entry target, byte[] key, byte[] member, long now) {
        if (target == null) {
            target = shard.table.insert(key, KeyTable.hash(key, 0, key.length), new SetValue());
            shard.created(target, now);
        } else {
            target.version++;
        }
        if (((SetValue) target.aggregate()).add(member, scratch)) {
            logMember(Aof.SADD, key, member);
        }
        shard.table.account(target); // a step of a move across shards, outside a command
    }

    /** Removes {@code member} from the set of {@code source}, if it is one there, and logs it; the key goes with its last member. */
    void removeMember(KeyTable.Entry source, byte[] member) {
        if (source != null && source.aggregate() instanceof SetValue set && set.remove(member, 0, member.length, scratch)) {
            source.version++;
            logMember(Aof.SREM, source.key(), member);
            if (set.size() == 0) {
                shard.table.remove(source);
            } else {
                shard.table.account(source);
            }
        }
    }

    private void logMember(byte[] name, byte[] key, byte[] member) {
        one[0] = member;
        logMembers(name, key, one);
        one[0] = null;
    }

    private void logMembers(byte[] name, byte[] key, byte[][] members) {
        if (shard.aof == null) {
            return;
        }
        for (int from = 0; from < members.length; from += MEMBERS_PER_RECORD) {
            shard.aof.elements(name, key, members, from, Math.min(members.length, from + MEMBERS_PER_RECORD));
        }
    }

    /** SINTER, SINTERCARD, SUNION, SDIFF and their STORE forms, every key here. */
    private void combine(Command command, Request r, long now, ReplyWriter out) {
        long limit = 0;
        if (command == Command.SINTERCARD) {
            limit = interCardLimit(r, out);
            if (limit < 0) {
                return;
            }
        }
        int first = firstSource(command);
        int last = lastKey(command, r);
        SetValue[] sets = new SetValue[last - first + 1];
        for (int i = first; i <= last; i++) {
            KeyTable.Entry e = shard.live(r.bytes, r.offset(i), r.length(i), now);
            if (e != null && !(e.aggregate() instanceof SetValue)) {
                out.error(KvShard.WRONGTYPE);
                return;
            }
            sets[i - first] = e == null ? null : (SetValue) e.aggregate();
        }
        if (first == 2 && command != Command.SINTERCARD) { // a STORE: argument 1 is the destination
            out.integer(store(r.bytes, r.offset(1), r.length(1), compute(command, sets, scratch), now));
        } else {
            answer(command, sets, limit, out, scratch);
        }
    }

    /** Where the sets a command reads start among its arguments: after SINTERCARD's numkeys, after a STORE's destination. */
    static int firstSource(Command command) {
        return switch (command) {
            case SINTERCARD, SINTERSTORE, SUNIONSTORE, SDIFFSTORE -> 2;
            default -> 1;
        };
    }

    /** The last key of a multi-key set command; below its first when SINTERCARD's numkeys is not valid (it answers the error). */
    static int lastKey(Command command, Request r) {
        if (command == Command.SMOVE) {
            return 2;
        }
        if (command != Command.SINTERCARD) {
            return r.count() - 1;
        }
        return r.longAt(1) && r.number >= 1 && r.number <= r.count() - 2 ? 1 + (int) r.number : 1;
    }

    /** SINTERCARD's numkeys and LIMIT, as Redis checks them: the limit (0: none), or -1 after the error reply. */
    static long interCardLimit(Request r, ReplyWriter out) {
        if (!r.longAt(1) || r.number < 1) {
            out.error("ERR numkeys should be greater than 0");
            return -1;
        }
        if (r.number > r.count() - 2) {
            out.error("ERR Number of keys can't be greater than number of args");
            return -1;
        }
        long limit = 0;
        for (int i = 2 + (int) r.number; i < r.count(); i++) {
            if (r.is(i, LIMIT) && i + 1 < r.count()) {
                i++;
                if (!r.longAt(i) || r.number < 0) {
                    out.error("ERR LIMIT can't be negative");
                    return -1;
                }
                limit = r.number;
            } else {
                out.error(KvShard.SYNTAX);
                return -1;
            }
        }
        return limit;
    }

    /** The reply of SINTER, SINTERCARD (at most {@code limit} unless 0), SUNION or SDIFF over {@code sets} (null: absent). */
    static void answer(Command command, SetValue[] sets, long limit, ReplyWriter out, Request scratch) {
        if (command == Command.SINTER || command == Command.SINTERCARD) {
            List<byte[]> members = intersection(sets, scratch);
            if (command == Command.SINTERCARD) {
                out.integer(limit > 0 ? Math.min(limit, members.size()) : members.size());
            } else {
                out.setHeader(members.size());
                members.forEach(out::bulk);
            }
            return;
        }
        SetValue result = compute(command, sets, scratch);
        out.setHeader(result.size());
        result.writeMembers(out);
    }

    /** The set an intersection, union or difference of {@code sets} (null: absent) makes: an intset when its members allow. */
    static SetValue compute(Command command, SetValue[] sets, Request scratch) {
        SetValue result = new SetValue();
        switch (command) {
            case SINTER, SINTERSTORE -> intersection(sets, scratch).forEach(member -> result.add(member, scratch));
            case SUNION, SUNIONSTORE -> {
                for (SetValue set : sets) {
                    if (set != null) {
                        set.forEach(member -> result.add(member, scratch));
                    }
                }
            }
            case SDIFF, SDIFFSTORE -> {
                if (sets[0] != null) {
                    sets[0].forEach(member -> {
                        for (int j = 1; j < sets.length; j++) {
                            if (sets[j] != null && sets[j].contains(member, 0, member.length, scratch)) {
                                return;
                            }
                        }
                        result.add(member, scratch);
                    });
                }
            }
            default -> throw new IllegalArgumentException(command + " combines no sets");
        }
        return result;
    }

    /** The members of every set, in the order of the smallest (as Redis walks it); none when one is absent. */
    private static List<byte[]> intersection(SetValue[] sets, Request scratch) {
        List<byte[]> found = new ArrayList<>();
        for (SetValue set : sets) {
            if (set == null) {
                return found;
            }
        }
        SetValue[] bySize = sets.clone();
        Arrays.sort(bySize, Comparator.comparingInt(SetValue::size));
        bySize[0].forEach(member -> {
            for (int j = 1; j < bySize.length; j++) {
                if (!bySize[j].contains(member, 0, member.length, scratch)) {
                    return;
                }
            }
            found.add(member);
        });
        return found;
    }

    /** A STORE's last step, on the destination's shard: {@link KvShard#store}. Returns the result's size. */
    long store(byte[] b, int offset, int length, SetValue result, long now) {
        return shard.store(b, offset, length, result, now);
    }
}
