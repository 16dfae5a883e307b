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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the logs of a data directory at start, before the shards serve: each file is one former
 * shard's history and is replayed on its own ({@code FLUSHALL} in it clears that shard's keys
 * only); its keys then go to their owners under the current shard count, so a log written with
 * another number of shards loads all the same. The files are named
 * {@code appendonly-<shard>-of-<count>.aof}; when their count differs from the current one, the
 * layout changed and every shard writes a fresh log (then the old files are deleted).
 *
 * <p>A command cut at the end of a file (a crash in the middle of a write) is dropped, and the file
 * truncated before it, as Redis's {@code aof-load-truncated yes} does; anything else that does not
 * parse stops the start with the file and offset. The files are read through the io module's
 * {@link AsyncFile}, each on a shard, before the shards serve; only the truncation of a torn tail
 * is a plain file call (the io module has no truncate).
 */
final class AofReplay {
    private static final Logger log = LoggerFactory.getLogger(AofReplay.class);
    private static final Pattern NAME = Pattern.compile("appendonly-(\\d+)-of-(\\d+)\\.aof");
    private static final int CHUNK = 1 << 20;
    private static final byte[] SET = ReplyWriter.asciiBytes("set");
    private static final byte[] DEL = ReplyWriter.asciiBytes("del");
    private static final byte[] PEXPIREAT = ReplyWriter.asciiBytes("pexpireat");
    private static final byte[] PERSIST = ReplyWriter.asciiBytes("persist");
    private static final byte[] FLUSHALL = ReplyWriter.asciiBytes("flushall");
    private static final byte[] PXAT = ReplyWriter.asciiBytes("pxat");
    private static final byte[] KEEPTTL = ReplyWriter.asciiBytes("keepttl");

    /**
     * What was loaded.
     *
     * @param tables        the keys of each current shard
     * @param layoutChanged the files were written with another shard count: every shard rewrites its log
     * @param staleFiles    the files to delete once the new logs are written
     * @param records       commands replayed
     */
    record Result(KeyTable[] tables, boolean layoutChanged, List<Path> staleFiles, long records) { }

    private AofReplay() {
    }


    /** The log of shard {@code shard} of {@code count}. */
    static Path path(Path dir, int shard, int count) {
        return dir.resolve("appendonly-" + shard + "-of-" + count + ".aof");
    }

    /** Replays the logs of {@code dir}, reading each through an {@link AsyncFile} on one of the runtime's shards. */
    static Result load(ShardRuntime runtime, Path dir) throws IOException, InterruptedException {
        int shards = runtime.shardCount();
        Files.createDirectories(dir);
        List<Path> logs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".aof.rewrite")) {
                    Files.delete(file); // a rewrite that did not finish: the live log is complete without it
                } else if (NAME.matcher(name).matches()) {
                    logs.add(file);
                }
            }
        }
        logs.sort(Comparator.comparing(p -> p.getFileName().toString()));
        boolean same = !logs.isEmpty();
        for (Path file : logs) {
            Matcher m = NAME.matcher(file.getFileName().toString());
            m.matches();
            same &= Integer.parseInt(m.group(2)) == shards && Integer.parseInt(m.group(1)) < shards;
        }
        // Each file is read and parsed on a shard (file k on shard k % count), all at once.
        List<CompletableFuture<FileReplay>> replays = new ArrayList<>();
        for (int k = 0; k < logs.size(); k++) {
            Path file = logs.get(k);
            replays.add(runtime.submit(k % shards, () -> new FileReplay(file).run().toCompletableFuture())
                    .thenCompose(f -> f));
        }
        KeyTable[] tables = new KeyTable[shards];
        Arrays.setAll(tables, i -> new KeyTable());
        long records = 0;
        long now = System.currentTimeMillis();
        for (int k = 0; k < logs.size(); k++) {
            Path file = logs.get(k);
            FileReplay replay;
            try {
                replay = replays.get(k).get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("replaying " + file, e.getCause());
            }
            records += replay.records;
            if (replay.tornBytes() > 0) {
                log.warn("{}: the last {} bytes are a command cut by a crash; dropped{}", file, replay.tornBytes(),
                        same ? ", and the file truncated at " + replay.consumed : "");
                if (same) {
                    truncate(file, replay.consumed);
                }
            }
            KeyTable source = replay.table;
            if (same) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                m.matches();
                tables[Integer.parseInt(m.group(1))] = source;
                List<KeyTable.Entry> expired = new ArrayList<>();
                source.forEach(e -> {
                    if (e.expireAt != 0 && e.expireAt <= now) {
                        expired.add(e);
                    }
                });
                expired.forEach(source::remove); // the log keeps their records until the next rewrite
            } else {
                source.forEach(e -> {
                    if (e.expireAt == 0 || e.expireAt > now) {
                        KeyTable target = tables[KeyTable.owner(e.hash, shards)];
                        KeyTable.Entry moved = target.find(e.key, 0, e.key.length, e.hash);
                        if (moved == null) {
                            moved = target.insert(e.key, e.hash, e.value);
                        } else {
                            moved.value = e.value;
                        }
                        target.setExpire(moved, e.expireAt);
                    }
                });
            }
        }
        if (!logs.isEmpty()) {
            log.info("loaded {} records from {} log(s) in {}{}", records, logs.size(), dir,
                    same ? "" : " (written with another shard count: keys re-routed to " + shards + " shards)");
        }
        List<Path> stale = new ArrayList<>();
        if (!same) {
            for (Path file : logs) {
                if (!file.getFileName().toString().endsWith("-of-" + shards + ".aof")) {
                    stale.add(file); // the current layout's own names are rewritten in place, not deleted
                }
            }
        }
        return new Result(tables, !logs.isEmpty() && !same, stale, records);
    }

    /**
     * One log read through an {@link AsyncFile} on a shard, a pool buffer at a time, and parsed as it
     * arrives into its own table; runs on that shard until {@link #run}'s promise completes.
     */
    private static final class FileReplay {
        private final Path file;
        private final KeyTable table = new KeyTable();
        private final RespParser parser = new RespParser(Integer.MAX_VALUE - 1024);
        private final Request request = new Request();
        private final Promise<FileReplay> done = new Promise<>();
        private AsyncFile input;
        /** Unparsed bytes: {@code bytes[start, end)}; they begin at file offset {@link #consumed}. */
        private byte[] bytes = new byte[CHUNK];
        private int start;
        private int end;
        private long consumed;
        private long position;
        private long records;

        FileReplay(Path file) {
            this.file = file;
        }

        Promise<FileReplay> run() {
            AsyncFile.open(file, StandardOpenOption.READ).whenComplete((opened, error) -> {
                if (error != null) {
                    done.fail(error);
                } else {
                    input = opened;
                    readNext();
                }
            });
            return done;
        }

        /** Bytes after the last complete command: a write cut by a crash. */
        long tornBytes() {
            return end - start;
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
                    parseAvailable();
                } catch (IOException e) {
                    finish(e);
                    return;
                } finally {
                    buffer.release();
                }
                readNext();
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

        private void parseAvailable() throws IOException {
            while (start < end) {
                int next = parser.parse(bytes, start, end, request);
                if (next == RespParser.INCOMPLETE) {
                    return;
                }
                if (next == RespParser.ERROR) {
                    throw new IOException(file + " is corrupt at offset " + consumed + ": " + parser.error());
                }
                if (request.count() > 0) {
                    apply(file, consumed, request, table);
                    records++;
                }
                consumed += next - start;
                start = next;
            }
        }

        private void finish(Throwable error) {
            input.closeAsync().whenComplete((ignored, closeError) -> {
                if (error != null) {
                    done.fail(error);
                } else {
                    done.complete(this);
                }
            });
        }
    }

    /** Cuts a torn command off the end of a log that is appended to next (the io module has no truncate). */
    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
            channel.force(true);
        }
    }

    private static void apply(Path file, long offset, Request r, KeyTable table) throws IOException {
        byte[] b = r.bytes;
        if (r.is(0, SET) && r.count() >= 3) {
            long expireAt = 0;
            boolean keepTtl = false;
            if (r.count() == 5 && r.is(3, PXAT) && r.longAt(4)) {
                expireAt = r.number;
            } else if (r.count() == 4 && r.is(3, KEEPTTL)) {
                keepTtl = true;
            } else if (r.count() != 3) {
                throw unexpected(file, offset, r);
            }
            int hash = KeyTable.hash(b, r.offset(1), r.length(1));
            KeyTable.Entry e = table.find(b, r.offset(1), r.length(1), hash);
            if (e == null) {
                e = table.insert(r.copy(1), hash, r.copy(2));
            } else {
                e.value = r.copy(2);
            }
            if (!keepTtl) {
                table.setExpire(e, expireAt);
            }
        } else if (r.is(0, DEL) && r.count() == 2) {
            KeyTable.Entry e = table.find(b, r.offset(1), r.length(1), KeyTable.hash(b, r.offset(1), r.length(1)));
            if (e != null) {
                table.remove(e);
            }
        } else if ((r.is(0, PEXPIREAT) && r.count() == 3 && r.longAt(2)) || (r.is(0, PERSIST) && r.count() == 2)) {
            long expireAt = r.is(0, PERSIST) ? 0 : r.number;
            KeyTable.Entry e = table.find(b, r.offset(1), r.length(1), KeyTable.hash(b, r.offset(1), r.length(1)));
            if (e != null) {
                table.setExpire(e, expireAt);
            }
        } else if (r.is(0, FLUSHALL) && r.count() == 1) {
            table.clear();
        } else {
            throw unexpected(file, offset, r);
        }
    }

    private static IOException unexpected(Path file, long offset, Request r) {
        return new IOException(file + " is corrupt at offset " + offset + ": a command the log never holds ("
                + r.string(0) + " with " + (r.count() - 1) + " arguments)");
    }

    /** Deletes the files of an earlier layout once every shard's new log is written. */
    static void deleteStale(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("deleting the old log " + file, e);
            }
        }
    }
}
