package dev.atoll.examples.kv;

import dev.atoll.shards.Shard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
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

    /**
     * Bytes of shard {@code shard}'s part, in order; {@code open}: they end inside a pair written in pieces, whose
     * rest only that shard's next chunks hold, so no other shard's chunk may come between them in the file.
     */
    private record Chunk(int shard, byte[] bytes, boolean open) { }

    private final KvNode node;
    private final Path target;
    private final Path temp;
    /** Messages from the shards to the save's thread: {@link Begun}, {@link Chunk}s, {@link Ended}. */
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Bytes of chunks not yet written (in {@link #inbox}, or held behind another shard's open pair): the shards add, the save's thread subtracts. */
    private final AtomicLong queued = new AtomicLong();
    /**
     * The shard whose pair written in pieces is open in the file, -1 when none: the save's thread sets it, the shards
     * read it (volatile) so that this one goes on while the others' chunks wait for it and the rest pause.
     */
    private volatile int openShard = -1;
    /** Strings LZF-compressed ({@code rdbcompression}); the file's CRC-64 written, else zero ({@code rdbchecksum}). */
    private final boolean compress;
    private final boolean checksum;
    /** {@code rdb-save-incremental-fsync}: the file is synced each {@link #INCREMENTAL_SYNC_BYTES} written, not only at its end. */
    private final boolean incrementalSync;
    /** Redis's REDIS_AUTOSYNC_BYTES: the kernel writes the file back a little at a time, not all at the final sync. */
    private static final long INCREMENTAL_SYNC_BYTES = 4 << 20;
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
     * any command after it), and keeps a second name of the file written ({@link #kept}); null for a save.
     */
    private final java.util.function.Consumer<KvShard> partBegins;
    /**
     * For a full sync, once {@link #done} completed: a second name of the file written (a hard link, made before
     * the rename), which a later save renaming another file over the target does not change; the replicas' shards
     * open it, and the last to have opened it deletes the name ({@link ReplicationMaster.SharedFile}).
     */
    volatile Path kept;
    /** For a diskless full sync: where the bytes go instead of a file ({@code repl-diskless-sync}); else null. */
    final DisklessSync diskless;

    /** Where the save's thread puts the file's bytes, each at its position. */
    private interface Output {
        void write(byte[] bytes, long position) throws IOException;
    }

    RdbSave(KvNode node, Path target, boolean compress, boolean checksum, java.util.function.Consumer<KvShard> partBegins,
            DisklessSync diskless) {
        this.node = node;
        this.incrementalSync = node.tunables.rdbSaveIncrementalFsync();
        this.diskless = diskless;
        this.target = target;
        this.compress = compress;
        this.checksum = checksum;
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
        if (diskless != null) {
            try {
                long size = write((bytes, position) -> diskless.write(bytes), node.shardCount());
                diskless.end();
                done.complete(size);
            } catch (Throwable e) {
                failed = true;
                done.completeExceptionally(e);
            }
            return;
        }
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            int shards = node.shardCount();
            long size;
            FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            try {
                long[] synced = {0}; // what the last incremental sync covered
                size = write((bytes, position) -> {
                    writeFully(out, bytes, position);
                    if (incrementalSync && position + bytes.length - synced[0] >= INCREMENTAL_SYNC_BYTES) {
                        out.force(false);
                        synced[0] = position + bytes.length;
                    }
                }, shards);
                out.force(true);
                if (partBegins != null) {
                    keep();
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                AofReplay.syncDirectory(target.toAbsolutePath().getParent()); // the new name must survive a power loss
            } finally {
                out.close();
            }
            done.complete(size);
        } catch (Throwable e) {
            failed = true;
            try {
                Files.deleteIfExists(temp);
                if (kept != null) {
                    Files.deleteIfExists(kept);
                    kept = null;
                }
            } catch (IOException ignored) {
                // the failure reported is the save's
            }
            done.completeExceptionally(e);
        }
    }

    /**
     * A second name of the file for the replicas' reads ({@link #kept}): a hard link, or a copy where the file
     * system has no links; made before the rename, so it names what this save wrote whatever is renamed later.
     */
    private void keep() throws IOException {
        Path name = temp.resolveSibling(temp.getFileName().toString().replace(".rdb", "-sync.rdb"));
        Files.deleteIfExists(name);
        try {
            Files.createLink(name, temp);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(temp, name, StandardCopyOption.REPLACE_EXISTING);
        }
        kept = name;
    }

    /**
     * Writes the whole file: the header once every shard began, the chunks as they come, the end. A shard's chunks
     * go in its order; while one shard's pair written in pieces is open ({@link Chunk#open}), the other shards'
     * chunks wait behind it. Returns the file's size.
     */
    private long write(Output out, int shards) throws IOException, InterruptedException {
        FileOut file = new FileOut(out, shards);
        List<Chunk> early = new ArrayList<>(); // chunks that came before the last shard began
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
                        file.write(RdbFile.header(keys, expires, memory, System.currentTimeMillis(), libraries, compress));
                        for (Chunk chunk : early) {
                            file.take(chunk);
                        }
                        early.clear();
                    }
                }
                case Chunk chunk -> {
                    if (begun < shards) {
                        early.add(chunk);
                    } else {
                        file.take(chunk);
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
        if (file.open != -1 || file.heldBytes > 0) {
            throw new IllegalStateException("the parts ended inside a pair"); // a shard ended with a pair unfinished
        }
        byte[] end = new byte[9];
        end[0] = (byte) RdbFile.OPCODE_EOF;
        file.crc = Crc64.update(file.crc, end, 0, 1);
        long crc = checksum ? file.crc : 0; // rdbchecksum no: a zero checksum, which a load does not check, as Redis
        for (int k = 0; k < 8; k++) {
            end[1 + k] = (byte) (crc >>> (8 * k));
        }
        file.write(end);
        return file.size;
    }

    /**
     * The file as the save's thread writes it: its size and CRC so far, and the chunks held while another shard's
     * pair is open there ({@link #openShard}).
     */
    private final class FileOut {
        private final Output out;
        /** Each shard's chunks held behind another shard's open pair, in order. */
        private final ArrayDeque<Chunk>[] held;
        long heldBytes;
        long size;
        long crc;
        /** The shard whose pair is open in the file, or -1. */
        int open = -1;

        @SuppressWarnings("unchecked")
        FileOut(Output out, int shards) {
            this.out = out;
            this.held = new ArrayDeque[shards];
            java.util.Arrays.setAll(held, i -> new ArrayDeque<Chunk>());
        }

        void write(byte[] bytes) throws IOException {
            if (checksum) {
                crc = Crc64.update(crc, bytes, 0, bytes.length);
            }
            out.write(bytes, size);
            size += bytes.length;
        }

        /** A shard's chunk: written now unless another shard's pair is open, then its held ones once none is. */
        void take(Chunk chunk) throws IOException {
            if (open != -1 && open != chunk.shard) {
                held[chunk.shard].addLast(chunk);
                heldBytes += chunk.bytes.length;
                return;
            }
            put(chunk);
            for (int s = 0; s < held.length && open == -1; s++) {
                while (!held[s].isEmpty()) {
                    Chunk next = held[s].pollFirst();
                    heldBytes -= next.bytes.length;
                    put(next);
                }
            }
        }

        private void put(Chunk chunk) throws IOException {
            write(chunk.bytes);
            queued.addAndGet(-chunk.bytes.length);
            open = chunk.open ? chunk.shard : -1;
            openShard = open;
        }
    }

    private static void writeFully(FileChannel out, byte[] bytes, long position) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            out.write(b, position + b.position());
        }
    }

    /** From a shard's thread: a message for the save's thread (its happens-before edge is the queue's). */
    private void send(Object message) {
        if (message instanceof Chunk chunk) {
            queued.addAndGet(chunk.bytes.length);
        }
        inbox.add(message);
    }

    /**
     * One shard's part of a save, on that shard's thread: a snapshot of its keys walked a step per loop
     * iteration (about {@link #STEP_BYTES} or {@link #STEP_NANOS} each), each key serialized either when the
     * walk reaches it or before a command looks it up, as the log's rewrite does. A hash, set, sorted set or list
     * of more than {@link #PIECE} elements is written {@link #PIECE} elements a step from what it was when the
     * snapshot took it, as the rewrite writes it ({@link LargePair}), so no step takes as long as the largest key
     * would; the pairs serialized while one is open in the part's bytes follow it ({@link #deferred}). While a
     * rewrite of the shard's log holds the snapshot the part waits for it, and a rewrite asked for meanwhile waits
     * for the part ({@link Aof#snapshotFreed}).
     */
    private static final class ShardPart implements KeyTable.SnapshotWriter {
        private static final int STEP_BYTES = 64 * 1024;
        private static final long STEP_NANOS = 200_000;
        private static final Duration PAUSE = Duration.ofMillis(1);
        /** Elements of a large aggregate written in one step; one of more is written in pieces. */
        private static final int PIECE = 256;

        private final RdbSave save;
        private final KvShard shard;
        private final KeyTable table;
        private final Runnable stepTask = this::step;
        /** The part's bytes since the last chunk handed over. */
        private RdbBuffer chunk;
        /** Pairs serialized while a large one is open in {@link #chunk}: they follow it, a pair is never inside another. */
        private RdbBuffer deferred;
        /** Large aggregates being written a piece a step, the first first (open once its start is written). */
        private final ArrayDeque<LargePair> large = new ArrayDeque<>();
        private long cursor;
        private boolean scanned;
        /** Why a key could not be serialized: the part ends with it, and the save fails. */
        private RuntimeException failure;
        private long now;

        ShardPart(RdbSave save, KvShard shard) {
            this.save = save;
            this.shard = shard;
            this.table = shard.table;
            this.chunk = new RdbBuffer(STEP_BYTES * 2, save.compress);
            this.deferred = new RdbBuffer(256, save.compress);
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
                Aggregate value = e.aggregate();
                if (value != null && e.aggregateSize() > PIECE
                        && (value.elementTable() != null || value instanceof ListValue || value instanceof StreamValue)) {
                    large.addLast(new LargePair(e, value, expireAt)); // its snapshot begins now
                    return;
                }
                try {
                    RdbFile.writePair(openPair() != null ? deferred : chunk, e, expireAt);
                } catch (RuntimeException error) { // a value with no RDB encoding: the save fails, the shard goes on
                    failure = error;
                }
            }
        }

        /** The large pair whose start is written and whose end is not, or null. */
        private LargePair openPair() {
            LargePair first = large.peekFirst();
            return first != null && first.open ? first : null;
        }

        private void step() {
            if (save.failed || failure != null) {
                end(false);
                return;
            }
            if (save.queued.get() > MAX_QUEUED && save.openShard != shard.id) {
                // the save's thread is behind (the disk sets the pace), unless it waits for this shard's open pair
                Shard.current().schedule(PAUSE, stepTask);
                return;
            }
            long deadline = System.nanoTime() + STEP_NANOS;
            boolean done = false;
            now = System.currentTimeMillis();
            try {
                while (chunk.size() < STEP_BYTES && System.nanoTime() - deadline < 0) {
                    LargePair p = large.peekFirst();
                    if (p != null) {
                        if (p.writePiece()) {
                            large.removeFirst();
                            deferred.appendTo(chunk); // what waited for it follows it
                            deferred.reset();
                        }
                    } else if (!scanned) {
                        cursor = table.walkSnapshot(cursor, 16);
                        scanned = cursor == 0;
                    } else {
                        done = true;
                        break;
                    }
                }
            } catch (RuntimeException error) { // pieces that did not add up to the count written: the save fails
                failure = error;
            }
            if (failure != null) {
                end(false);
                return;
            }
            handOver();
            if (done) {
                end(true);
            } else {
                Shard.current().execute(stepTask);
            }
        }

        private void handOver() {
            if (chunk.size() > 0) {
                save.send(new Chunk(shard.id, chunk.toByteArray(), openPair() != null));
                chunk.reset();
            }
        }

        private void end(boolean complete) {
            table.endSnapshot(complete);
            for (LargePair p : large) {
                p.abandon();
            }
            large.clear();
            chunk = null;
            deferred = null;
            save.send(new Ended(shard.id, complete || save.failed ? null : failure));
            if (shard.aof != null) {
                shard.aof.snapshotFreed();
            }
        }

        /**
         * A hash, set, sorted set, list or stream of more than {@link #PIECE} elements, written in pieces as it was
         * when the snapshot took it: its element (a stream's node) count then, then {@link #PIECE} elements a step,
         * from its elements' own snapshot ({@link ElementSnapshot}: an element a command looks up first is written
         * before it, into the part's bytes if the pair is open, else into {@link #early}, which follows its start),
         * from its blocks as they were ({@link ListSnapshot}) or from its nodes as they were ({@link StreamSnapshot}: a
         * node a command is about to change is written before it, the same way).
         */
        private final class LargePair implements ElementSnapshot.Target {
            private final byte[] key;
            private final long expireAt;
            private final Aggregate value;
            private final long count;
            private final ElementSnapshot elements;
            private final ListSnapshot list;
            private final StreamSnapshot stream;
            private final java.util.function.Consumer<byte[]> listElement = this::listElement;
            /** Elements written before the pair opened: commands looked them up first. */
            private RdbBuffer early;
            private boolean open;
            private long position;
            private long written;

            LargePair(KeyTable.Entry e, Aggregate value, long expireAt) {
                this.key = java.util.Arrays.copyOf(e.data, e.keyLength());
                this.expireAt = expireAt;
                this.value = value;
                KeyTable table = value.elementTable();
                if (value instanceof StreamValue s) {
                    this.stream = new StreamSnapshot(s, save.compress, this::earlyNode);
                    this.count = stream.nodes;
                    this.elements = null;
                    this.list = null;
                } else if (table != null) {
                    this.count = table.size();
                    this.elements = new ElementSnapshot(table, this);
                    this.list = null;
                    this.stream = null;
                } else {
                    this.list = ((ListValue) value).beginSnapshot();
                    this.count = list.size();
                    this.elements = null;
                    this.stream = null;
                }
            }

            /** Where what must be written before the walk reaches it goes: the part's bytes if the pair is open, else {@link #early}. */
            private RdbBuffer earlyOut() {
                return open ? chunk : early != null ? early : (early = new RdbBuffer(256, save.compress));
            }

            private void earlyNode(StreamValue.Node node) {
                StreamPayload.writeNode(earlyOut(), node);
            }

            @Override
            public void early(KeyTable.Entry element) {
                DumpPayload.element(earlyOut(), value, element);
                written++;
            }

            @Override
            public void piece(List<KeyTable.Entry> piece) {
                for (KeyTable.Entry element : piece) {
                    DumpPayload.element(chunk, value, element);
                }
                written += piece.size();
            }

            private void listElement(byte[] element) {
                DumpPayload.string(chunk, element);
                written++;
            }

            /** Its next piece, after its start if it is not open yet; returns whether it is whole. */
            boolean writePiece() {
                if (!open) {
                    RdbFile.expiry(chunk, expireAt);
                    DumpPayload.pairStart(chunk, value, key, count);
                    if (early != null) {
                        early.appendTo(chunk);
                        early = null;
                    }
                    open = true;
                }
                if (stream != null) {
                    return stream.step(chunk, PIECE); // it checks its nodes add up
                }
                position = elements != null ? elements.step(position, PIECE) : list.visit(position, PIECE, listElement);
                if (position != 0) {
                    return false;
                }
                if (written != count) { // its start said count: a file that would not load
                    throw new IllegalStateException("the snapshot of " + value.type() + " '"
                            + new String(key, java.nio.charset.StandardCharsets.UTF_8) + "' held " + written
                            + " elements, not the " + count + " it had");
                }
                return true;
            }

            void abandon() {
                if (stream != null) {
                    stream.abandon();
                } else if (elements != null) {
                    elements.abandon();
                } else {
                    list.abandon();
                }
            }
        }
    }
}
