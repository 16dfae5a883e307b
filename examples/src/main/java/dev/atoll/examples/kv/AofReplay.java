package dev.atoll.examples.kv;

import dev.atoll.io.AsyncFile;
import dev.atoll.io.Buffer;
import dev.atoll.io.BufferPool;
import dev.atoll.shards.Promise;
import dev.atoll.shards.ShardRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Loads the logs of a data directory at start, before the shards serve: each file is one former
 * shard's history and is replayed on its own ({@code FLUSHALL} in it clears that shard's keys
 * only); its keys then go to their owners under the current shard count, so a log written with
 * another number of shards loads all the same. A log is a base and incremental files ({@link LogParts}
 * names them and says which a replay reads); when their shard count differs from the current one, the
 * layout changed and every shard writes a fresh log (then the old files are deleted).
 *
 * <p>What does not load stops the start with the file, the offset and what was expected, unless a
 * setting says to go on: a command cut at the end of a file (a crash in the middle of a write) is
 * dropped with {@code kv.aof.load-truncated = yes} (Redis's {@code aof-load-truncated}, and its
 * default); bytes from an offset on that are not a command the log writes are dropped only with
 * {@code kv.aof.load-corrupt-tail = yes}; a layout whose files are not all there (a shard's log is
 * missing) loads only with {@code kv.aof.load-missing = yes}. Each of these logs a warning naming
 * the file, the offset and what was dropped. The files are read through the io module's
 * {@link AsyncFile}, each on a shard, before the shards serve; only the truncation of a dropped tail
 * is a plain file call (the io module has no truncate).
 */
final class AofReplay {
    private static final Logger log = LoggerFactory.getLogger(AofReplay.class);
    private static final int CHUNK = 1 << 20;
    private static final byte[] SET = ReplyWriter.asciiBytes("set");
    private static final byte[] APPEND = ReplyWriter.asciiBytes("append");
    private static final byte[] DEL = ReplyWriter.asciiBytes("del");
    private static final byte[] PEXPIREAT = ReplyWriter.asciiBytes("pexpireat");
    private static final byte[] PERSIST = ReplyWriter.asciiBytes("persist");
    private static final byte[] FLUSHALL = ReplyWriter.asciiBytes("flushall");
    private static final byte[] PXAT = ReplyWriter.asciiBytes("pxat");
    private static final byte[] KEEPTTL = ReplyWriter.asciiBytes("keepttl");
    private static final byte[] SETRANGE = ReplyWriter.asciiBytes("setrange");
    private static final byte[] SETBIT = ReplyWriter.asciiBytes("setbit");
    private static final byte[] HSET = ReplyWriter.asciiBytes("hset");
    private static final byte[] HDEL = ReplyWriter.asciiBytes("hdel");
    private static final byte[] SADD = ReplyWriter.asciiBytes("sadd");
    private static final byte[] SREM = ReplyWriter.asciiBytes("srem");
    private static final byte[] ZADD = ReplyWriter.asciiBytes("zadd");
    private static final byte[] ZREM = ReplyWriter.asciiBytes("zrem");

    /**
     * What was loaded.
     *
     * @param tables        the keys of each current shard
     * @param layoutChanged the files were written with another shard count: every shard rewrites its log
     * @param staleFiles    the files to delete once the new logs are written
     * @param records       commands replayed
     * @param logs          log files found (none: a first start, which may load an RDB file instead)
     * @param parts         the parts of each current shard's log found (its files' names), which it goes on from
     */
    record Result(KeyTable[] tables, boolean layoutChanged, List<Path> staleFiles, long records,
                  ScriptRegistry.Latest libraries, int logs, List<List<LogParts.Part>> parts) {
        /** The keys of {@code tables}, from an RDB file at a first start: every shard writes its log from them. */
        Result loadedFromRdb(KeyTable[] fromRdb, ScriptRegistry.Latest fromRdbLibraries) {
            return new Result(fromRdb, true, staleFiles, records, fromRdbLibraries, logs, parts);
        }

        /** The parts of shard {@code shard}'s log (none: it starts a new one). */
        List<LogParts.Part> partsOf(int shard) {
            return parts.get(shard);
        }
    }

    private AofReplay() {
    }

    /**
     * Replays the logs of {@code settings.dir()}, each (its parts in order) through {@link AsyncFile}s on one of
     * the runtime's shards; throws, naming file and offset, when one does not load and the settings do not say
     * to go on.
     */
    static Result load(ShardRuntime runtime, KvSettings settings) throws IOException, InterruptedException {
        Path dir = settings.dir();
        int shards = runtime.shardCount();
        Files.createDirectories(dir);
        // count -> shard -> its parts
        Map<Integer, Map<Integer, List<LogParts.Part>>> layouts = new TreeMap<>();
        int found = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                LogParts.Part part = LogParts.parse(file);
                if (file.getFileName().toString().endsWith(".aof" + LogParts.UNFINISHED)) {
                    Files.delete(file); // a rewrite that did not finish: the log is complete without its base
                } else if (part != null) {
                    layouts.computeIfAbsent(part.count(), c -> new TreeMap<>())
                            .computeIfAbsent(part.shard(), s -> new ArrayList<>()).add(part.sized(Files.size(file)));
                    found++;
                }
            }
        }
        checkComplete(dir, layouts, settings.aofLoadMissing());
        boolean same = layouts.size() == 1 && layouts.containsKey(shards)
                && layouts.get(shards).keySet().stream().allMatch(shard -> shard < shards);
        List<Path> stale = new ArrayList<>();
        List<List<LogParts.Part>> current = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            current.add(List.of());
        }
        List<List<LogParts.Part>> logs = new ArrayList<>();
        for (Map.Entry<Integer, Map<Integer, List<LogParts.Part>>> layout : layouts.entrySet()) {
            for (Map.Entry<Integer, List<LogParts.Part>> shardLog : layout.getValue().entrySet()) {
                LogParts.Selection selection = LogParts.select(shardLog.getValue());
                selection.obsolete().forEach(p -> stale.add(p.path()));
                logs.add(selection.replayed());
                if (layout.getKey() == shards && shardLog.getKey() < shards) {
                    current.set(shardLog.getKey(), selection.replayed()); // its log goes on from them
                } else {
                    selection.replayed().forEach(p -> stale.add(p.path())); // another layout's
                }
            }
        }
        // Each log is read and parsed on a shard (log k on shard k % count), all at once.
        List<CompletableFuture<FileReplay>> replays = new ArrayList<>();
        for (int k = 0; k < logs.size(); k++) {
            List<LogParts.Part> parts = logs.get(k);
            replays.add(runtime.submit(k % shards, () -> new FileReplay(parts).run().toCompletableFuture())
                    .thenCompose(f -> f));
        }
        KeyTable[] tables = new KeyTable[shards];
        Arrays.setAll(tables, i -> new KeyTable());
        long records = 0;
        long now = System.currentTimeMillis();
        for (int k = 0; k < logs.size(); k++) {
            List<LogParts.Part> parts = logs.get(k);
            Path last = parts.getLast().path();
            FileReplay replay;
            try {
                replay = replays.get(k).get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("replaying " + last, e.getCause());
            }
            records += replay.records;
            dropTail(last, replay, settings, same);
            KeyTable source = replay.table;
            if (same) {
                tables[parts.getFirst().shard()] = source;
                List<KeyTable.Entry> expired = new ArrayList<>();
                source.forEach(e -> {
                    if (source.expiredBy(e, now)) {
                        expired.add(e);
                    }
                });
                expired.forEach(source::remove); // the log keeps their records until the next rewrite
            } else {
                source.forEach(e -> {
                    long expireAt = source.expireAt(e);
                    if (expireAt == 0 || expireAt > now) {
                        moveToOwner(e, expireAt, tables);   // the former shard's table is dropped
                    }
                });
            }
        }
        // Logs of this shard count written by a build that placed keys otherwise (before hash slots):
        // each key goes to the shard that owns its slot now, and every log is rewritten.
        boolean misplaced = same && rehome(tables);
        if (misplaced) {
            log.info("keys re-routed to the shards that own their hash slots");
        }
        if (found > 0) {
            log.info("loaded {} records from {} file(s) of {} log(s) in {}{}", records, found, logs.size(), dir,
                    same ? "" : " (written with another shard count: keys re-routed to " + shards + " shards)");
        }
        ScriptRegistry.Latest libraries = new ScriptRegistry.Latest(); // the newest record over all logs
        for (CompletableFuture<FileReplay> replay : replays) {
            libraries.merge(replay.join().libraries);
        }
        return new Result(tables, found > 0 && (!same || misplaced), stale, records, libraries, found, current);
    }

    /** Moves every key that sits on a shard other than its slot's owner; returns whether one moved. */
    private static boolean rehome(KeyTable[] tables) {
        List<KeyTable.Entry> strays = new ArrayList<>();
        boolean moved = false;
        for (int shard = 0; shard < tables.length; shard++) {
            int here = shard;
            tables[shard].forEach(e -> {
                if (KeySlots.owner(e.data, 0, e.keyLength(), tables.length) != here) {
                    strays.add(e);
                }
            });
            for (KeyTable.Entry e : strays) {
                long expireAt = tables[shard].expireAt(e);
                tables[shard].remove(e);   // clears the expiry: kept above
                moveToOwner(e, expireAt, tables);
            }
            moved |= !strays.isEmpty();
            strays.clear();
        }
        return moved;
    }

    /** Puts {@code e}'s key and value, expiring at {@code expireAt}, into the table of its slot's owner. */
    private static void moveToOwner(KeyTable.Entry e, long expireAt, KeyTable[] tables) {
        KeyTable target = tables[KeySlots.owner(e.data, 0, e.keyLength(), tables.length)];
        int hash = e.hash();
        KeyTable.Entry moved = target.find(e.data, 0, e.keyLength(), hash);
        if (moved == null) {
            moved = target.insert(e.data, 0, e.keyLength(), hash, e.data, 0, 0);
        }
        moved.takeValueOf(target, e);
        target.setExpire(moved, expireAt);
    }

    /**
     * Refuses the start when no layout has all its logs: each of its shards wrote one, so a missing
     * log is a shard's keys missing. Logs of two layouts are a change of shard count cut by a
     * crash: the complete one holds everything and the other agrees with it.
     */
    private static void checkComplete(Path dir, Map<Integer, Map<Integer, List<LogParts.Part>>> layouts,
                                      boolean loadMissing) throws IOException {
        List<String> missing = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (Map.Entry<Integer, Map<Integer, List<LogParts.Part>>> layout : layouts.entrySet()) {
            int count = layout.getKey();
            List<String> absent = new ArrayList<>();
            for (int shard = 0; shard < count; shard++) {
                if (!layout.getValue().containsKey(shard)) {
                    absent.add(new LogParts.Log(dir, shard, count).prefix() + "*.aof");
                }
            }
            if (absent.isEmpty()) {
                return;
            }
            missing.addAll(absent);
            layout.getValue().values().forEach(parts -> parts.forEach(p -> found.add(p.path().getFileName().toString())));
        }
        if (missing.isEmpty()) {
            return; // no logs: a first start
        }
        String message = dir + ": the log(s) " + missing + " are missing (found " + found
                + "; each shard of a layout writes one), so the keys of those shards would be missing";
        if (!loadMissing) {
            throw new IOException(message + "; not starting (kv.aof.load-missing = yes starts without them)");
        }
        log.warn("{}; starting without them (kv.aof.load-missing = yes)", message);
    }

    /**
     * Bytes after the last command that loaded: a command cut by the end of the file, or bytes that
     * are not a command. Refuses the start unless the matching setting allows dropping them; then
     * warns and, when the file is appended to next, truncates it.
     */
    private static void dropTail(Path file, FileReplay replay, KvSettings settings, boolean appendedToNext)
            throws IOException {
        long dropped = Files.size(file) - replay.consumed;
        if (dropped <= 0) {
            return;
        }
        boolean cut = replay.problem == null;
        String message = (cut
                ? file + " ends in a command cut at offset " + replay.consumed + " (a crash during a write; the rest of"
                        + " the command was expected)"
                : file + " is corrupt at offset " + replay.consumed + ": " + replay.problem)
                + "; " + dropped + " bytes from there to the end of the file: " + replay.preview();
        String setting = cut ? "kv.aof.load-truncated" : "kv.aof.load-corrupt-tail";
        if (!(cut ? settings.aofLoadTruncated() : settings.aofLoadCorruptTail())) {
            throw new IOException(message + "; not starting (" + setting + " = yes drops them)");
        }
        log.warn("{}; dropped{} ({} = yes)", message,
                appendedToNext ? ", and the file truncated to " + replay.consumed + " bytes" : "", setting);
        if (appendedToNext) {
            truncate(file, replay.consumed);
        }
    }

    /**
     * One log, its parts in order, read through an {@link AsyncFile} on a shard, a pool buffer at a time, and
     * parsed as it arrives into its own table; runs on that shard until {@link #run}'s promise completes. Only
     * its last part may end in a cut command or bytes that are not one: a part before it that does fails the
     * replay, whatever the settings, since what follows it would replay over a hole.
     */
    private static final class FileReplay {
        private final List<LogParts.Part> parts;
        private final KeyTable table = new KeyTable();
        /** The function libraries' newest record in this log ({@link ScriptRegistry}). */
        private final ScriptRegistry.Latest libraries = new ScriptRegistry.Latest();
        private final RespParser parser = new RespParser(Integer.MAX_VALUE - 1024);
        private final Request request = new Request();
        private final Promise<FileReplay> done = new Promise<>();
        /** The part being read: its index in {@link #parts}, and the file. */
        private int part;
        private AsyncFile input;
        /** Unparsed bytes: {@code bytes[start, end)}; they begin at offset {@link #consumed} of the part. */
        private byte[] bytes = new byte[CHUNK];
        private int start;
        private int end;
        private long consumed;
        private long position;
        private long records;
        /** What is wrong at {@link #consumed} (reading stopped there), or null: the part loaded to its end. */
        private String problem;

        FileReplay(List<LogParts.Part> parts) {
            this.parts = parts;
        }

        Promise<FileReplay> run() {
            openPart();
            return done;
        }

        private void openPart() {
            start = end = 0;
            consumed = position = 0;
            AsyncFile.open(parts.get(part).path(), StandardOpenOption.READ).whenComplete((opened, error) -> {
                if (error != null) {
                    done.fail(error);
                } else {
                    input = opened;
                    readNext();
                }
            });
        }

        /** The first bytes at {@link #consumed}, escaped, for a message. */
        String preview() {
            StringBuilder text = new StringBuilder("\"");
            for (int i = start; i < Math.min(end, start + 40); i++) {
                int b = bytes[i] & 0xFF;
                text.append(b == '\r' ? "\\r" : b == '\n' ? "\\n" : b == '"' || b == '\\' ? "\\" + (char) b
                        : b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
            return text.append(end - start > 40 ? "\"..." : "\"").toString();
        }

        private void readNext() {
            BufferPool pool = BufferPool.current();
            Buffer buffer = pool.acquire(pool.maxBufferSize());
            input.read(buffer, position).whenComplete((n, error) -> {
                try {
                    if (error != null || n < 0) {
                        finish(error);
                        return;
                    }
                    position += n;
                    makeRoom(n);
                    buffer.readBytes(bytes, end, n);
                    end += n;
                } finally {
                    buffer.release();
                }
                if (parseAvailable()) {
                    readNext();
                } else {
                    finish(null); // the rest is not read: the start stops here, or drops it
                }
            });
        }

        private void makeRoom(int n) {
            if (bytes.length - end >= n) {
                return;
            }
            int pending = end - start;
            if (bytes.length - pending < n) {
                bytes = Arrays.copyOfRange(bytes, start, Math.max(pending + n, bytes.length * 2)); // a long record
            } else {
                System.arraycopy(bytes, start, bytes, 0, pending);
            }
            start = 0;
            end = pending;
        }

        /** Applies the complete commands read; false at the first bytes that are not one (see {@link #problem}). */
        private boolean parseAvailable() {
            while (start < end) {
                if (bytes[start] != '*') { // the parser would take it for an inline command: the log writes none
                    problem = "expected '*' starting a command";
                    return false;
                }
                int next = parser.parse(bytes, start, end, request);
                if (next == RespParser.INCOMPLETE) {
                    return true;
                }
                if (next == RespParser.ERROR) {
                    problem = parser.error();
                    return false;
                }
                if (request.count() > 0) {
                    if (!libraries.offer(request) && !apply(request, table)) {
                        problem = "a command the log never holds (" + request.string(0) + " with "
                                + (request.count() - 1) + " arguments)";
                        return false;
                    }
                    records++;
                }
                consumed += next - start;
                start = next;
            }
            return true;
        }

        private void finish(Throwable error) {
            input.closeAsync().whenComplete((ignored, closeError) -> {
                boolean last = part == parts.size() - 1;
                if (error != null) {
                    done.fail(error);
                } else if (last) {
                    done.complete(this);
                } else if (problem != null || start < end) {
                    Path file = parts.get(part).path();
                    done.fail(new IOException(file + (problem != null ? " is corrupt at offset " + consumed + ": " + problem
                            : " ends in a command cut at offset " + consumed) + " (" + preview() + "), and "
                            + parts.get(part + 1).path().getFileName() + " follows it: only the last file of a log may"
                            + " end early; not starting"));
                } else {
                    part++;
                    openPart();
                }
            });
        }
    }

    /** Cuts a dropped tail off a log that is appended to next (the io module has no truncate). */
    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            channel.force(true);
        }
    }

    /** Applies one log command to {@code table}; false when it is none the log writes. */
    private static boolean apply(Request r, KeyTable table) {
        byte[] b = r.bytes;
        if (r.is(0, SET) && r.count() >= 3) {
            long expireAt = 0;
            boolean keepTtl = false;
            if (r.count() == 5 && r.is(3, PXAT) && r.longAt(4)) {
                expireAt = r.number;
            } else if (r.count() == 4 && r.is(3, KEEPTTL)) {
                keepTtl = true;
            } else if (r.count() != 3) {
                return false;
            }
            KeyTable.Entry e = entry(r, table);
            if (e == null) {
                e = table.insert(b, r.offset(1), r.length(1), KeyTable.hash(b, r.offset(1), r.length(1)), b, r.offset(2), r.length(2));
            } else {
                e.setString(table, b, r.offset(2), r.length(2));
            }
            if (!keepTtl) {
                table.setExpire(e, expireAt);
            }
        } else if (r.is(0, APPEND) && r.count() == 3) {
            KeyTable.Entry e = entry(r, table);
            if (e == null) {
                table.insert(b, r.offset(1), r.length(1), KeyTable.hash(b, r.offset(1), r.length(1)), b, r.offset(2), r.length(2)).raw(true);
            } else if (e.isString()) {
                e.append(table, b, r.offset(2), r.length(2), Integer.MAX_VALUE); // its expiry stays, as APPEND keeps it
            } else {
                return false;
            }
        } else if ((r.is(0, SETRANGE) && r.count() == 4) || (r.is(0, SETBIT) && r.count() == 4)) {
            return changeString(r, table);
        } else if (r.is(0, HSET) && r.count() >= 4 && r.count() % 2 == 0) {
            KeyTable.Entry e = entry(r, table);
            if (e == null) {
                e = HashListpack.insert(table, b, r.offset(1), r.length(1), KeyTable.hash(b, r.offset(1), r.length(1)));
            } else if (!Hashes.isHash(e)) {
                return false;
            }
            for (int i = 2; i < r.count(); i += 2) {
                Hashes.put(table, e, b, r.offset(i), r.length(i), b, r.offset(i + 1), r.length(i + 1));
            }
        } else if (r.is(0, HDEL) && r.count() >= 3) {
            KeyTable.Entry e = entry(r, table);
            if (e != null && Hashes.isHash(e)) {
                for (int i = 2; i < r.count(); i++) {
                    Hashes.remove(table, e, b, r.offset(i), r.length(i));
                }
                if (Hashes.size(e) == 0) {
                    table.remove(e); // an empty hash is no key, as in Redis
                }
            }
        } else if (r.is(0, SADD) && r.count() >= 3) {
            KeyTable.Entry e = entry(r, table);
            if (e == null) {
                e = table.insert(r.copy(1), KeyTable.hash(b, r.offset(1), r.length(1)), new SetValue());
            } else if (!(e.aggregate() instanceof SetValue)) {
                return false;
            }
            SetValue members = (SetValue) e.aggregate();
            for (int i = 2; i < r.count(); i++) {
                members.add(b, r.offset(i), r.length(i), r); // r parses the integers: only its number changes
            }
        } else if (r.is(0, SREM) && r.count() >= 3) {
            KeyTable.Entry e = entry(r, table);
            if (e != null && e.aggregate() instanceof SetValue members) {
                for (int i = 2; i < r.count(); i++) {
                    members.remove(b, r.offset(i), r.length(i), r);
                }
                if (members.size() == 0) {
                    table.remove(e); // an empty set is no key, as in Redis
                }
            }
        } else if (r.is(0, ZADD) && r.count() >= 4 && r.count() % 2 == 0) { // score member ..., scores in 17 digits
            KeyTable.Entry e = entry(r, table);
            if (e == null) {
                e = table.insert(r.copy(1), KeyTable.hash(b, r.offset(1), r.length(1)), ZSetValue.forRecord(r));
            } else if (!(e.aggregate() instanceof ZSetValue)) {
                return false;
            }
            ZSetValue z = (ZSetValue) e.aggregate();
            for (int i = 2; i < r.count(); i += 2) {
                double score = Score.parse(b, r.offset(i), r.length(i));
                if (Double.isNaN(score)) {
                    return false;
                }
                z.put(r.copy(i + 1), score);
            }
        } else if (r.is(0, ZREM) && r.count() >= 3) {
            KeyTable.Entry e = entry(r, table);
            if (e != null && e.aggregate() instanceof ZSetValue z) {
                for (int i = 2; i < r.count(); i++) {
                    z.remove(b, r.offset(i), r.length(i));
                }
                if (z.size() == 0) {
                    table.remove(e); // an empty sorted set is no key, as in Redis
                }
            }
        } else if (r.is(0, DEL) && r.count() == 2) {
            KeyTable.Entry e = entry(r, table);
            if (e != null) {
                table.remove(e);
            }
        } else if ((r.is(0, PEXPIREAT) && r.count() == 3 && r.longAt(2)) || (r.is(0, PERSIST) && r.count() == 2)) {
            long expireAt = r.is(0, PERSIST) ? 0 : r.number;
            KeyTable.Entry e = entry(r, table);
            if (e != null) {
                table.setExpire(e, expireAt);
            }
        } else if (r.is(0, FLUSHALL) && r.count() == 1) {
            table.clear();
        } else if (ListCommands.replay(r, table)) {
            return true; // LPUSH, RPUSH, LPOP, RPOP, LSET, LINSERT, LREM, LTRIM
        } else if (StreamCommands.replay(r, table)) {
            return true; // XADD, XTRIM, XDEL, XSETID
        } else if (StreamGroupCommands.replay(r, table)) {
            return true; // XGROUP CREATE/SETID/DESTROY/DELCONSUMER, XDELIVER, XACK
        } else {
            return false;
        }
        return true;
    }

    /** {@code SETRANGE key offset bytes} or {@code SETBIT key offset bit}; false when malformed. */
    private static boolean changeString(Request r, KeyTable table) {
        if (!r.longAt(2) || r.number < 0) {
            return false;
        }
        long offset = r.number;
        boolean bit = r.is(0, SETBIT);
        if (bit ? !r.longAt(3) || (r.number & ~1) != 0 : offset + r.length(3) > Integer.MAX_VALUE - 16) {
            return false;
        }
        KeyTable.Entry e = entry(r, table);
        if (e == null) {
            e = table.insert(r.bytes, r.offset(1), r.length(1), KeyTable.hash(r.bytes, r.offset(1), r.length(1)), r.bytes, 0, 0);
        } else if (!e.isString()) {
            return false;
        }
        if (bit) {
            StringCommands.setBit(table, e, offset, (int) r.number, Integer.MAX_VALUE);
        } else {
            e.ensureLength(table, (int) offset + r.length(3), Integer.MAX_VALUE);
            System.arraycopy(r.bytes, r.offset(3), e.valueArray(), e.valueOffset() + (int) offset, r.length(3));
        }
        return true;
    }

    /** The entry of the key that is argument 1, or null. */
    private static KeyTable.Entry entry(Request r, KeyTable table) {
        return table.find(r.bytes, r.offset(1), r.length(1), KeyTable.hash(r.bytes, r.offset(1), r.length(1)));
    }

    /**
     * Deletes the files of an earlier layout once every shard's new log is written, and the parts a replay leaves
     * out (older than a base); the directory is synced first, so that the new names are durable before the old go.
     */
    static void deleteStale(Path dir, List<Path> files) throws IOException {
        if (!files.isEmpty()) {
            syncDirectory(dir);
        }
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("deleting the old log " + file, e);
            }
        }
    }

    /** Deletes every log of {@code dir} (and a rewrite's leftovers), then syncs the directory. */
    static void deleteLogs(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (LogParts.parse(file) != null || name.endsWith(".aof" + LogParts.UNFINISHED)) {
                    Files.delete(file);
                }
            }
        }
        syncDirectory(dir);
    }

    /** Makes the directory's entries (a file made, renamed or deleted) durable: Linux syncs a directory opened for reading. */
    static void syncDirectory(Path dir) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
