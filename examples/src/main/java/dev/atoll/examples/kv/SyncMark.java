package dev.atoll.examples.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The mark {@code <dbfilename>.loading} that a replica's full sync leaves in {@code kv.dir} while its logs are
 * rewritten from the master's keys: a start that finds it loads the RDB file (the master's, just renamed there)
 * instead of the logs, which hold the keys from before the sync ({@link KvServer#start}, the same mark as a start
 * that loads the RDB file leaves). Made and removed on the offload pool; a removal is for one sync, so that a
 * sync done meanwhile keeps its mark (synchronized: two offload threads, once per sync, not on the data path).
 */
final class SyncMark {
    /** The syncs that made the mark, the last one's number; guarded by this. */
    private long syncs;
    private Path made;

    /** Makes the mark of {@code rdbPath} durable; returns the sync's number for {@link #remove}. */
    synchronized long make(Path rdbPath) throws IOException {
        Path mark = rdbPath.resolveSibling(rdbPath.getFileName() + ".loading");
        if (!Files.exists(mark)) {
            Files.write(mark, new byte[0]);
        }
        AofReplay.syncDirectory(mark.toAbsolutePath().getParent()); // the RDB file's rename before it, too
        made = mark;
        return ++syncs;
    }

    /** Removes the mark once sync {@code sync}'s logs are rewritten, unless a later sync made it again. */
    synchronized void remove(long sync) throws IOException {
        if (sync == syncs && made != null && Files.deleteIfExists(made)) {
            AofReplay.syncDirectory(made.toAbsolutePath().getParent());
        }
    }
}
