package dev.atoll.drivers;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.LinuxConstants;
import dev.atoll.drivers.ffi.LinuxLibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Reads and sets Linux CPU affinity masks ({@code cpu_set_t}, up to 1024 CPUs). */
final class LinuxAffinity {
    private static final int WORDS = LinuxLibC.CPU_SETSIZE / Long.SIZE;

    private LinuxAffinity() {
    }

    /** The sorted CPU ids thread {@code tid} may run on; 0 is the calling thread. */
    static List<Integer> of(int tid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment mask = arena.allocate(LinuxLibC.CPU_SET);
            int r = LinuxLibC.schedGetaffinity(errno, tid, mask);
            if (r < 0) {
                throw new ErrnoException("sched_getaffinity(" + tid + ")", -r);
            }
            List<Integer> cpus = new ArrayList<>();
            for (int w = 0; w < WORDS; w++) {
                long word = (long) LinuxLibC.CPU_SET_WORD.get(mask, 0L, (long) w);
                while (word != 0) {
                    cpus.add(w * Long.SIZE + Long.numberOfTrailingZeros(word));
                    word &= word - 1;
                }
            }
            return List.copyOf(cpus);
        }
    }

    /** Restricts the calling thread to {@code cpu}; returns 0 or {@code -errno}. */
    static int pinCallingThread(int cpu) {
        if (cpu < 0 || cpu >= LinuxLibC.CPU_SETSIZE) {
            return -LinuxConstants.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment mask = arena.allocate(LinuxLibC.CPU_SET); // zeroed
            LinuxLibC.CPU_SET_WORD.set(mask, 0L, (long) (cpu / Long.SIZE), 1L << (cpu % Long.SIZE));
            return LinuxLibC.schedSetaffinity(errno, 0, mask);
        }
    }
}
