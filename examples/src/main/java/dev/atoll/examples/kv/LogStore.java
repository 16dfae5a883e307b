package dev.atoll.examples.kv;

import dev.atoll.io.AsyncFile;
import dev.atoll.io.Buffer;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where the logs live: opens {@link LogFile}s and makes directory changes durable. {@link #FILES}
 * is the file system; tests pass a simulated disk. Called on the shard that owns the log.
 */
interface LogStore {

    /** The file system, through the io module's {@link AsyncFile}. */
    LogStore FILES = new FileSystemStore();

    /** Opens {@code path} for writing, creating it, and emptying it first when {@code truncate}. */
    Promise<LogFile> open(Path path, boolean truncate);

    /** Makes the entries of {@code dir} durable: a file created there survives a power loss. */
    Promise<Void> syncDirectory(Path dir);

    /** Renames {@code from} over {@code to} atomically and makes the new entry durable. */
    Promise<Void> replace(Path from, Path to);

    /**
     * Deletes those of {@code files} that are there (their pages freed off the shard's thread) and syncs their
     * directory.
     */
    Promise<Void> delete(List<Path> files);

    /** {@link LogStore} on the file system. */
    final class FileSystemStore implements LogStore {
        private FileSystemStore() {
        }

        @Override
        public Promise<LogFile> open(Path path, boolean truncate) {
            Promise<AsyncFile> opened = truncate
                    ? AsyncFile.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)
                    : AsyncFile.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return opened.<LogFile>map(AsyncLogFile::new);
        }

        @Override
        public Promise<Void> syncDirectory(Path dir) {
            return Shard.current().offload(() -> {
                AofReplay.syncDirectory(dir);
                return null;
            });
        }

        @Override
        public Promise<Void> replace(Path from, Path to) {
            return Shard.current().offload(() -> {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                AofReplay.syncDirectory(to.toAbsolutePath().getParent());
                return null;
            });
        }

        @Override
        public Promise<Void> delete(List<Path> files) {
            return Shard.current().offload(() -> {
                for (Path file : files) {
                    Files.deleteIfExists(file);
                }
                if (!files.isEmpty()) {
                    AofReplay.syncDirectory(files.getFirst().toAbsolutePath().getParent());
                }
                return null;
            });
        }
    }

    /** A {@link LogFile} that is an {@link AsyncFile}: each call goes straight through. */
    record AsyncLogFile(AsyncFile file) implements LogFile {
        @Override
        public Promise<Integer> write(Buffer buffer, long position) {
            return file.write(buffer, position);
        }

        @Override
        public Promise<Void> fdatasync() {
            return file.fdatasync();
        }

        @Override
        public Promise<Long> size() {
            return file.size();
        }

        @Override
        public Promise<Void> closeAsync() {
            return file.closeAsync();
        }

        @Override
        public Promise<Void> closeReplaced() {
            return file.closeAsyncOffShard();
        }
    }
}
