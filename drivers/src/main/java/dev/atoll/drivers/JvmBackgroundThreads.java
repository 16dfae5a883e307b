package dev.atoll.drivers;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LinuxConstants;
import dev.atoll.drivers.ffi.LinuxLibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Lowers the scheduling priority of the JVM's own busy background threads on Linux — its JIT compiler
 * threads and its garbage collector's concurrent threads — by raising their nice value (which needs no
 * privilege). A shard thread that wakes on a CPU where one of them runs then gets the CPU at once rather
 * than after the scheduler's time slice (about 3 ms under EEVDF), so a compilation or a collection takes
 * the time the shards leave idle instead of delaying requests; when a shard waits for the collector (an
 * allocation stall) or sleeps, they run at full speed.
 *
 * <p>The threads are found by the names HotSpot gives them, in {@code /proc/self/task}. The JVM starts
 * compiler and collector threads on demand, so {@link #lower()} is meant to be called again: each call
 * handles the threads it has not seen before. Threads that run only at a safepoint (the VM thread, the
 * collectors' stop-the-world workers) are left alone: shards wait for them.
 */
public final class JvmBackgroundThreads {
    private static final Logger LOG = LoggerFactory.getLogger(JvmBackgroundThreads.class);
    private static final Path TASKS = Path.of("/proc/self/task");
    /**
     * Prefixes of HotSpot's thread names ({@code /proc} keeps 15 characters): the JIT compilers, ZGC's
     * director, drivers, workers and uncommitter, G1's concurrent marker, workers, refinement and service
     * threads.
     */
    private static final List<String> NAME_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre",
            "ZDirector", "ZDriver", "ZWorker", "ZUncommitter", "ZStat",
            "G1 Main Marker", "G1 Conc#", "G1 Refine#", "G1 Service");

    private final int nice;
    private final Set<Integer> seen = new HashSet<>();
    private boolean warned;

    /** @param nice the nice value to give them, 1 to 19 */
    public JvmBackgroundThreads(int nice) {
        if (nice < 1 || nice > 19) {
            throw new IllegalArgumentException("nice " + nice + ": expected 1 to 19");
        }
        this.nice = nice;
    }

    /** Whether a thread of this name ({@code /proc/self/task/TID/comm}) is one this class lowers. */
    public static boolean isBackground(String name) {
        for (String prefix : NAME_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Gives the calling thread the same nice value: the thread that calls {@link #lower()} periodically
     * is background work too.
     *
     * @return 0 or {@code -errno}
     */
    public int lowerCallingThread() {
        return setNice(0);
    }

    /**
     * Lowers each background thread of this JVM not lowered by an earlier call; forgets threads that
     * have ended.
     *
     * @return how many threads this call lowered
     */
    public synchronized int lower() {
        Set<Integer> present = new HashSet<>();
        int lowered = 0;
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                int tid = Integer.parseInt(task.getFileName().toString());
                present.add(tid);
                if (seen.contains(tid)) {
                    continue;
                }
                seen.add(tid);
                String name = threadName(task);
                if (name == null || !isBackground(name)) {
                    continue;
                }
                int r = setNice(tid);
                if (r == 0) {
                    lowered++;
                } else if (!warned) {
                    warned = true; // EACCES: already nicer than this, set by someone else; EPERM: not allowed here
                    LOG.warn("Could not lower JVM thread '{}' (tid {}) to nice {}: setpriority failed: {}"
                            + " (further failures are not logged)", name, tid, nice, Errno.describe(-r));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + TASKS, e);
        }
        seen.retainAll(present);
        return lowered;
    }

    private static String threadName(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return null; // the thread ended since the listing
        }
    }

    private int setNice(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            return LinuxLibC.setpriority(errno, LinuxConstants.PRIO_PROCESS, tid, nice);
        }
    }
}
