package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SAVE or BGSAVE: every shard's keys into one RDB file, {@code <kv.dir>/<kv.dbfilename>}.
 *
 * <p>Redis forks and lets the child write the file while the kernel copies the pages written meanwhile. Here
 * each shard takes a point-in-time snapshot of its own keys ({@link ShardPart}: the walk of
 * {@link KeyTable#beginSnapshot}, which the log's rewrite uses too, a step per loop iteration, so no shard
 * pauses for time proportional to its data) and serializes the key-value pairs in RDB's encoding into chunks
 * that it hands to the save's own thread. That thread plays the child: it writes the header once every shard
 * said how many keys it holds, then the chunks in the order they arrive (a pair is never split, and a file's
 * pairs may come in any order), the {@code EOF} opcode and the CRC-64 it computed on the way, into
 * {@code temp-<n>.rdb}; then it syncs the file, renames it over the target and syncs the directory, so the
 * target is always a whole file. The shards' walks pause while more than {@link #MAX_QUEUED} bytes wait for
 * the thread. Each shard's snapshot is the moment its part began ({@link #beginPart}, which SAVE and BGSAVE run
 * on every shard before they answer, after the commands queued there and the transactions holding keys
 * there: a transaction across shards is in all parts or in none).
 */
final class RdbSave {
    /** Bytes of chunks waiting for the save's thread beyond which the walks pause. */
    static final long MAX_QUEUED = 8L << 20;
    /** The save's thread waits this long at most for a shard's next message before it checks the server still runs. */
    private static final long POLL_MILLIS = 1000;
    private static final AtomicLong TEMP_NAMES = new AtomicLong();

    /** Shard {@code shard} took its snapshot: how many keys it holds, how many with an expiry, their memory. */
    private record Begun(int shard, long keys, long expires, long usedMemory, long writeCalls) { }

    /** Shard {@code shard} wrote its last chunk, or failed ({@code error} non-null). */
    private record Ended(int shard, RuntimeException error) { }

    private final KvNode node;
    private final Path target;
    private final Path temp;
    /** Messages from the shards to the save's thread: {@link Begun}, chunks ({@code byte[]}), {@link Ended}. */
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Bytes of chunks in {@link #inbox}: the shards add, the save's thread subtracts. */
    private final AtomicLong queued = new AtomicLong();
    /** Set by the save's thread once it failed: the shards end their walks (volatile: read on each shard's thread). */
    private volatile boolean failed;
    /** The write commands every shard had executed when its part began; read once {@link #done} completed. */
    private long writeCalls;

    long writeCallsAtBegin() {
        return writeCalls;
    }

    /** Completes (on the save's thread) once the file is in place, or with why not. */
    final CompletableFuture<Long> done = new CompletableFuture<>();

    /**
     * For a replica's full sync: runs on each shard's thread at the moment its part's snapshot begins (before
     * any command after it), and keeps the file open for reading once written ({@link #kept}); null for a save.
     */
    private final java.util.function.Consumer<KvShard> partBegins;
    /** The file written, open for reading, once {@link #done} completed for a full sync (its reader closes it). */
    volatile FileChannel kept;

    RdbSave(KvNode node, Path target) {
        this(node, target, null);
    }

    RdbSave(KvNode node, Path target, java.util.function.Consumer<KvShard> partBegins) {
        this.node = node;
        this.target = target;
        this.partBegins = partBegins;
        this.temp = target.resolveSibling("temp-" + ProcessHandle.current().pid() + "-"
                + TEMP_NAMES.incrementAndGet() + ".rdb");
    }

    /** Starts the save's thread, which waits for every shard's part ({@link #beginPart}); {@link #done} tells the end. */
    void start() {
        Thread.ofPlatform().name("kv-rdb-save").daemon().start(this::run);
    }

    /**
     * On {@code shard}'s thread: its part begins, its snapshot taken now; or, while the shard's log is being
     * rewritten (which holds the table's snapshot), once the rewrite ended if {@code waitForRewrite} (SAVE,
     * BGSAVE SCHEDULE), else the save is cancelled. Returns whether a rewrite was in progress.
     */
    boolean beginPart(KvShard shard, boolean waitForRewrite) {
        boolean rewriting = shard.aof != null && shard.aof.rewriting();
        if (rewriting && !waitForRewrite) {
            cancel();
        } else {
            new ShardPart(this, shard).begin();
        }
        return rewriting;
    }

    /** Ends the save without a file, and without it counting as a failed one (a BGSAVE refused). */
    void cancel() {
        failed = true; // the parts that began end at their next step
        inbox.add(new Ended(-1, new Cancelled()));
    }

    /** A save that was refused after its parts began. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private void run() {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            int shards = node.shardCount();
            long size;
            FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            try {
                size = write(out, shards);
                out.force(true);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                AofReplay.syncDirectory(target.toAbsolutePath().getParent()); // the new name must survive a power loss
            } catch (Throwable e) {
                out.close();
                throw e;
            }
            if (partBegins == null) {
                out.close();
            } else {
                kept = out; // a later save renames another file over the name: this one still reads what it wrote
            }
            done.complete(size);
        } catch (Throwable e) {
            failed = true;
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the failure reported is the save's
            }
            done.completeExceptionally(e);
        }
    }

    /** Writes the whole file: the header once every shard began, the chunks as they come, the end. Returns its size. */
    private long write(FileChannel out, int shards) throws IOException, InterruptedException {
        long crc = 0;
        long size = 0;
        List<byte[]> early = new ArrayList<>(); // chunks that came before the last shard began
        int begun = 0;
        int ended = 0;
        long keys = 0;
        long expires = 0;
        long memory = 0;
        while (ended < shards) {
            Object message = inbox.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (message == null) {
                if (node.stopped) {
                    throw new IOException("the server stopped");
                }
                continue;
            }
            switch (message) {
                case Begun b -> {
                    keys += b.keys;
                    expires += b.expires;
                    memory += b.usedMemory;
                    writeCalls += b.writeCalls;
                    if (++begun == shards) {
                        List<String> libraries = new ArrayList<>();
                        for (ScriptRegistry.Library library : node.scripts.libraries().byName().values()) {
                            libraries.add(library.code());
                        }
                        byte[] header = RdbFile.header(keys, expires, memory, System.currentTimeMillis(), libraries);
                        crc = Crc64.update(crc, header, 0, header.length);
                        size += writeFully(out, header, size);
                        for (byte[] chunk : early) {
                            crc = Crc64.update(crc, chunk, 0, chunk.length);
                            size += writeFully(out, chunk, size);
                            queued.addAndGet(-chunk.length);
                        }
                        early.clear();
                    }
                }
                case byte[] chunk -> {
                    if (begun < shards) {
                        early.add(chunk);
                    } else {
                        crc = Crc64.update(crc, chunk, 0, chunk.length);
                        size += writeFully(out, chunk, size);
                        queued.addAndGet(-chunk.length);
                    }
                }
                case Ended e -> {
                    if (e.error != null) {
                        throw e.error;
                    }
                    ended++;
                }
                default -> throw new IllegalStateException("unexpected " + message);
            }
        }
        byte[] end = new byte[9];
        end[0] = (byte) RdbFile.OPCODE_EOF;
        crc = Crc64.update(crc, end, 0, 1);
        for (int k = 0; k < 8; k++) {
            end[1 + k] = (byte) (crc >>> (8 * k));
        }
        return size + writeFully(out, end, size);
    }

    private static int writeFully(FileChannel out, byte[] bytes, long position) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            out.write(b, position + b.position());
        }
        return bytes.length;
    }

    /** From a shard's thread: a message for the save's thread (its happens-before edge is the queue's). */
    private void send(Object message) {
        if (message instanceof byte[] chunk) {
            queued.addAndGet(chunk.length);
        }
        inbox.add(message);
    }

    /**
     * One shard's part of a save, on that shard's thread: a snapshot of its keys walked a step per loop
     * iteration (about {@link #STEP_BYTES} or {@link #STEP_NANOS} each), each key serialized either when the
     * walk reaches it or before a command looks it up, as the log's rewrite does. A key is serialized whole
     * (the rewrite writes a large aggregate in pieces; here the pause is that of the largest key). While a
     * rewrite of the shard's log holds the snapshot the part waits for it, and a rewrite asked for meanwhile
     * waits for the part ({@link Aof#snapshotFreed}).
     */
    private static final class ShardPart implements KeyTable.SnapshotWriter {
        private static final int STEP_BYTES = 64 * 1024;
        private static final long STEP_NANOS = 200_000;
        private static final Duration PAUSE = Duration.ofMillis(1);

        private final RdbSave save;
        private final KvShard shard;
        private final KeyTable table;
        private final Runnable stepTask = this::step;
        private ByteArrayOutputStream chunk = new ByteArrayOutputStream(STEP_BYTES * 2);
        private long cursor;
        /** Why a key could not be serialized: the part ends with it, and the save fails. */
        private RuntimeException failure;
        private long now;

        ShardPart(RdbSave save, KvShard shard) {
            this.save = save;
            this.shard = shard;
            this.table = shard.table;
        }

        void begin() {
            if (save.failed) {
                save.send(new Ended(shard.id, null));
                return;
            }
            if (shard.aof != null && shard.aof.rewriting()) {
                shard.aof.whenRewritten(this::begin); // BGSAVE SCHEDULE: after the rewrite, as Redis after its child
                return;
            }
            if (table.snapshotting()) { // the part of a save just cancelled ends at its next step
                Shard.current().schedule(PAUSE, this::begin);
                return;
            }
            save.send(new Begun(shard.id, table.size(), table.volatileCount(), table.usedBytes(),
                    RdbSaves.writeCalls(shard.calls)));
            now = System.currentTimeMillis();
            table.beginSnapshot(this);
            if (save.partBegins != null) {
                save.partBegins.accept(shard);
            }
            Shard.current().execute(stepTask);
        }

        @Override
        public void write(KeyTable.Entry e, boolean lookup) {
            long expireAt = table.expireAt(e);
            if (failure != null || (expireAt != 0 && expireAt <= now)) {
                return;
            }
            // an empty aggregate is no key, but an emptied stream is one, as in Redis
            if (e.isString() || e.aggregateSize() > 0 || e.aggregate() instanceof StreamValue) {
                try {
                    RdbFile.writePair(chunk, e, expireAt);
                } catch (RuntimeException error) { // a value with no RDB encoding: the save fails, the shard goes on
                    failure = error;
                }
            }
        }

        private void step() {
            if (save.failed || failure != null) {
                end(false);
                return;
            }
            if (save.queued.get() > MAX_QUEUED) {
                Shard.current().schedule(PAUSE, stepTask); // the save's thread is behind: the disk sets the pace
                return;
            }
            long deadline = System.nanoTime() + STEP_NANOS;
            boolean scanned = false;
            now = System.currentTimeMillis();
            while (chunk.size() < STEP_BYTES && System.nanoTime() - deadline < 0) {
                cursor = table.walkSnapshot(cursor, 16);
                if (cursor == 0) {
                    scanned = true;
                    break;
                }
            }
            if (failure != null) {
                end(false);
                return;
            }
            handOver();
            if (scanned) {
                end(true);
            } else {
                Shard.current().execute(stepTask);
            }
        }

        private void handOver() {
            if (chunk.size() > 0) {
                save.send(chunk.toByteArray());
                chunk.reset();
            }
        }

        private void end(boolean complete) {
            table.endSnapshot(complete);
            chunk = null;
            save.send(new Ended(shard.id, complete || save.failed ? null : failure));
            if (shard.aof != null) {
                shard.aof.snapshotFreed();
            }
        }
    }
}
