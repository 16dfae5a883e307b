package dev.atoll.examples.kv;

import dev.atoll.io.Buffer;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A disk for the logs' tests, in memory, that knows what a power loss would leave: a file's bytes
 * reach the "device" only through a sync, which covers what was written before it started, and a
 * file's name only through a sync of its directory. {@link #powerLoss()} freezes it — no operation
 * completes afterwards — and {@link #writeImage} puts what survived into a real directory, where a
 * server replays it. Operations complete on the calling shard after the given latencies; writes to
 * some files can be held and then failed, and writes or syncs can fail until told otherwise (a full
 * disk, a device error). A failed sync is what Linux makes of a failed writeback: the bytes it should
 * have synced count as clean but are not on the device, so a later sync does not bring them there.
 * All of one directory (names are file names).
 */
final class MemoryDisk implements LogStore {
    /** One file: the bytes as the page cache holds them, as the device holds them, and its syncs. */
    private static final class Inode {
        byte[] bytes = new byte[0];
        int length;
        byte[] device = new byte[0];
        int deviceLength;
        /** The page cache differs from the device from here on (nothing: MAX_VALUE). */
        int dirtyFrom = Integer.MAX_VALUE;
        final List<Long> syncNanos = new ArrayList<>();
    }

    /** A held write, to complete on its shard with a failure, or null: success. */
    private record Completion(Shard shard, java.util.function.Consumer<IOException> finish) { }

    private final Duration writeLatency;
    private final Duration syncLatency;
    /** The directory as the kernel shows it, and as the device holds it. */
    private final Map<String, Inode> names = new HashMap<>();
    private final Map<String, Inode> durableNames = new HashMap<>();
    private final Map<String, Integer> writesCompleted = new HashMap<>();
    private final List<Completion> held = new ArrayList<>();
    private String holdSuffix;
    private String failWritesSuffix;
    private IOException writeFailure;
    private String failSyncsSuffix;
    private IOException syncFailure;
    private int writesFailed;
    private final Map<String, Integer> writesFailedByName = new java.util.HashMap<>();
    private int syncsFailed;
    private boolean powerLost;
    /** Syncs of files whose name ends so, syncs of the directory, and deletes: held until the power goes. */
    private String holdSyncsSuffix;
    private boolean holdDirectorySyncs;
    /** Directory syncs paused by {@link #pauseDirectorySyncs}, to start on {@link #resumeDirectorySyncs}; null: not paused. */
    private List<Runnable> pausedDirectorySyncs;
    private boolean holdDeletes;
    private int heldForever;
    /** Run once a file of this name is opened (a test's step that begins there). */
    private final Map<String, Runnable> onOpen = new HashMap<>();
    private long bytesWritten;
    private final List<String> chainViolations = new ArrayList<>();

    MemoryDisk(Duration writeLatency, Duration syncLatency) {
        this.writeLatency = writeLatency;
        this.syncLatency = syncLatency;
    }

    // ---- what the tests control and observe ----

    /** Holds the writes to files whose name ends with {@code suffix} until {@link #release}. */
    synchronized void hold(String suffix) {
        holdSuffix = suffix;
    }

    synchronized int heldWrites() {
        return held.size();
    }

    /** From now on syncs of files whose name ends with {@code suffix} never complete (a power loss is next). */
    synchronized void holdSyncs(String suffix) {
        holdSyncsSuffix = suffix;
    }

    /** From now on syncs of the directory never complete (a power loss is next). */
    synchronized void holdDirectorySyncs() {
        holdDirectorySyncs = true;
    }

    /** From now on syncs of the directory wait, until {@link #resumeDirectorySyncs}. */
    synchronized void pauseDirectorySyncs() {
        if (pausedDirectorySyncs == null) {
            pausedDirectorySyncs = new ArrayList<>();
        }
    }

    /** Starts the directory syncs {@link #pauseDirectorySyncs} kept waiting, and those to come. */
    void resumeDirectorySyncs() {
        List<Runnable> paused;
        synchronized (this) {
            paused = pausedDirectorySyncs;
            pausedDirectorySyncs = null;
        }
        if (paused != null) {
            paused.forEach(Runnable::run);
        }
    }

    /** From now on deletes never complete nor happen (a power loss is next). */
    synchronized void holdDeletes() {
        holdDeletes = true;
    }

    /** Syncs, directory syncs and deletes held by {@link #holdSyncs}, {@link #holdDirectorySyncs}, {@link #holdDeletes}. */
    synchronized int heldForever() {
        return heldForever;
    }

    /** Runs {@code action} (on the opening shard) when the file {@code name} is opened. */
    synchronized void onOpen(String name, Runnable action) {
        onOpen.put(name, action);
    }

    /** Bytes of all completed writes to every file, deleted ones included. */
    synchronized long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Syncs of a log's incremental file that completed while an earlier one of the same log had bytes not on the
     * device and no later base covered them: a power loss then would keep later records and lose earlier ones
     * (the first five).
     */
    synchronized List<String> chainViolations() {
        return List.copyOf(chainViolations);
    }

    /** The generation in {@code name} if it is an incremental file ({@code kind} "incr") or a base ("base"), else -1. */
    private static long generation(String name, String prefix, String kind) {
        String suffix = "." + kind + ".aof";
        if (!name.startsWith(prefix) || !name.endsWith(suffix)) {
            return -1;
        }
        String g = name.substring(prefix.length(), name.length() - suffix.length());
        return g.chars().allMatch(Character::isDigit) && !g.isEmpty() ? Long.parseLong(g) : -1;
    }

    /** Called with the monitor held when a sync of {@code name} completed: records a break of the chain. */
    private void checkChain(String name) {
        int dot = name.indexOf(".");
        String prefix = dot < 0 ? name : name.substring(0, dot + 1);
        long synced = generation(name, prefix, "incr");
        if (synced < 0) {
            return;
        }
        for (Map.Entry<String, Inode> other : names.entrySet()) {
            long g = generation(other.getKey(), prefix, "incr");
            Inode inode = other.getValue();
            if (chainViolations.size() < 5 && g >= 0 && g < synced && inode.deviceLength < inode.length
                    && durableNames.keySet().stream().noneMatch(n -> generation(n, prefix, "base") > g)) {
                chainViolations.add(name + " synced while " + other.getKey() + " had " + (inode.length - inode.deviceLength)
                        + " bytes not on the device");
            }
        }
    }

    /** Completes the held writes, on their shards, failed with {@code failure} unless it is null; later writes are not held. */
    synchronized void release(IOException failure) {
        holdSuffix = null;
        for (Completion c : held) {
            c.shard().runtime().submit(c.shard().id(), () -> {
                c.finish().accept(failure);
                return null;
            });
        }
        held.clear();
    }

    /** From now on writes to files whose name ends with {@code suffix} fail with {@code failure}; null: they work again. */
    synchronized void failWrites(String suffix, IOException failure) {
        failWritesSuffix = suffix;
        writeFailure = failure;
    }

    /** From now on syncs of files whose name ends with {@code suffix} fail with {@code failure}; null: they work again. */
    synchronized void failSyncs(String suffix, IOException failure) {
        failSyncsSuffix = suffix;
        syncFailure = failure;
    }

    synchronized int writesFailed() {
        return writesFailed;
    }

    /** Writes failed to the file {@code name}. */
    synchronized int writesFailed(String name) {
        return writesFailedByName.getOrDefault(name, 0);
    }

    synchronized int syncsFailed() {
        return syncsFailed;
    }

    /** Writes completed to files whose name ends with {@code suffix}. */
    synchronized int writesCompleted(String suffix) {
        return writesCompleted.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
                .mapToInt(Map.Entry::getValue).sum();
    }

    /** System.nanoTime() of each completed sync of the file {@code name}. */
    synchronized List<Long> syncTimes(String name) {
        Inode inode = names.get(name);
        return inode == null ? List.of() : List.copyOf(inode.syncNanos);
    }

    /** The power goes: from now on nothing completes. Returns what the device holds: file name to bytes. */
    synchronized Map<String, byte[]> powerLoss() {
        powerLost = true;
        return image();
    }

    /** What the device holds now. */
    synchronized Map<String, byte[]> image() {
        Map<String, byte[]> files = new HashMap<>();
        durableNames.forEach((name, inode) -> files.put(name, Arrays.copyOf(inode.device, inode.deviceLength)));
        return files;
    }

    /** True when {@code record} is on the device in a file that is in its directory there. */
    boolean durable(byte[] record) {
        for (byte[] file : image().values()) {
            if (indexOf(file, record) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] in, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= in.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (in[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Writes {@code image} (from {@link #powerLoss()}) into {@code dir}, as the device would show it at the next boot. */
    static void writeImage(Map<String, byte[]> image, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> file : image.entrySet()) {
            Files.write(dir.resolve(file.getKey()), file.getValue());
        }
    }

    // ---- LogStore ----

    @Override
    public synchronized Promise<LogFile> open(Path path, boolean truncate) {
        String name = path.getFileName().toString();
        Runnable step = onOpen.remove(name);
        if (step != null) {
            step.run();
        }
        Inode existing = names.get(name);
        Inode inode = existing == null || truncate ? new Inode() : existing;
        names.put(name, inode); // a truncated file: its old bytes stay on the device until a sync
        Promise<LogFile> opened = new Promise<>();
        complete(Duration.ZERO, () -> opened.complete(new File(name, inode)));
        return opened;
    }

    @Override
    public Promise<Void> syncDirectory(Path dir) {
        Promise<Void> done = new Promise<>();
        Shard shard = Shard.current();
        synchronized (this) {
            if (holdDirectorySyncs) {
                heldForever++;
                return done;
            }
            if (pausedDirectorySyncs != null) {
                pausedDirectorySyncs.add(() -> shard.runtime().submit(shard.id(), () -> {
                    startDirectorySync(done);
                    return null;
                }));
                return done;
            }
        }
        startDirectorySync(done);
        return done;
    }

    /** A directory sync, on the calling shard: after the latency, the names as they are then become durable. */
    private void startDirectorySync(Promise<Void> done) {
        complete(syncLatency, () -> {
            synchronized (this) {
                durableNames.clear();
                durableNames.putAll(names);
            }
            done.complete(null);
        });
    }

    @Override
    public Promise<Void> replace(Path from, Path to) {
        Promise<Void> done = new Promise<>();
        complete(syncLatency, () -> {
            synchronized (this) {
                names.put(to.getFileName().toString(), names.remove(from.getFileName().toString()));
                durableNames.clear();
                durableNames.putAll(names);
            }
            done.complete(null);
        });
        return done;
    }

    @Override
    public Promise<Void> delete(List<Path> files) {
        synchronized (this) {
            if (holdDeletes) {
                heldForever++;
                return new Promise<>();
            }
            files.forEach(file -> names.remove(file.getFileName().toString()));
        }
        return syncDirectory(null);
    }

    /** Runs {@code action} on the calling shard after {@code latency}, unless the power is lost by then. */
    private void complete(Duration latency, Runnable action) {
        Shard shard = Shard.current();
        Runnable guarded = () -> {
            synchronized (this) {
                if (powerLost) {
                    return;
                }
            }
            action.run();
        };
        if (latency.isZero()) {
            shard.execute(guarded);
        } else {
            shard.schedule(latency, guarded);
        }
    }

    /** A file of this disk. */
    private final class File implements LogFile {
        private final String name;
        private final Inode inode;

        File(String name, Inode inode) {
            this.name = name;
            this.inode = inode;
        }

        @Override
        public Promise<Integer> write(Buffer buffer, long position) {
            byte[] data = new byte[buffer.readableBytes()];
            buffer.readBytes(data, 0, data.length);
            Promise<Integer> done = new Promise<>();
            java.util.function.Consumer<IOException> finish = failure -> {
                synchronized (MemoryDisk.this) {
                    if (failure == null) {
                        int end = (int) position + data.length;
                        if (inode.bytes.length < end) {
                            inode.bytes = Arrays.copyOf(inode.bytes, Math.max(end, inode.bytes.length * 2));
                        }
                        System.arraycopy(data, 0, inode.bytes, (int) position, data.length);
                        inode.length = Math.max(inode.length, end);
                        inode.dirtyFrom = Math.min(inode.dirtyFrom, (int) position);
                        writesCompleted.merge(name, 1, Integer::sum);
                        bytesWritten += data.length;
                    } else {
                        writesFailed++;
                        writesFailedByName.merge(name, 1, Integer::sum);
                    }
                }
                if (failure != null) {
                    done.fail(failure);
                } else {
                    done.complete(data.length);
                }
            };
            IOException failure;
            synchronized (MemoryDisk.this) {
                if (holdSuffix != null && name.endsWith(holdSuffix)) {
                    held.add(new Completion(Shard.current(), finish));
                    return done;
                }
                failure = failWritesSuffix != null && name.endsWith(failWritesSuffix) ? writeFailure : null;
            }
            complete(writeLatency, () -> finish.accept(failure));
            return done;
        }

        @Override
        public Promise<Void> fdatasync() {
            int from;
            int covered;
            IOException failure;
            Promise<Void> done = new Promise<>();
            synchronized (MemoryDisk.this) {
                from = inode.dirtyFrom;
                covered = inode.length; // what was written before the sync started
                failure = failSyncsSuffix != null && name.endsWith(failSyncsSuffix) ? syncFailure : null;
                if (holdSyncsSuffix != null && name.endsWith(holdSyncsSuffix)) {
                    heldForever++;
                    return done;
                }
            }
            complete(syncLatency, () -> {
                synchronized (MemoryDisk.this) {
                    if (failure == null && from < covered) {
                        if (inode.device.length < covered) {
                            inode.device = Arrays.copyOf(inode.device, Math.max(covered, inode.device.length * 2));
                        }
                        System.arraycopy(inode.bytes, from, inode.device, from, covered - from);
                        inode.deviceLength = Math.max(inode.deviceLength, covered);
                    }
                    if (inode.dirtyFrom >= from) { // failed or not, those pages are clean now
                        inode.dirtyFrom = inode.length > covered ? covered : Integer.MAX_VALUE;
                    }
                    if (failure == null) {
                        inode.syncNanos.add(System.nanoTime());
                        checkChain(name);
                    } else {
                        syncsFailed++;
                    }
                }
                if (failure != null) {
                    done.fail(failure);
                } else {
                    done.complete(null);
                }
            });
            return done;
        }

        @Override
        public Promise<Long> size() {
            Promise<Long> size = new Promise<>();
            long length;
            synchronized (MemoryDisk.this) {
                length = inode.length;
            }
            complete(Duration.ZERO, () -> size.complete(length));
            return size;
        }

        @Override
        public Promise<Void> closeAsync() {
            return Promise.completed(null);
        }
    }
}
