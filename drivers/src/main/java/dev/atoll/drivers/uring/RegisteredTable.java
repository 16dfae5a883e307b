package dev.atoll.drivers.uring;

import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LinuxConstants;
import dev.atoll.drivers.ffi.LinuxLibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.atoll.drivers.uring.IoUringAbi.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One of a ring's registered resource tables: buffers for {@code READ_FIXED}/{@code WRITE_FIXED} (the
 * kernel pins their pages once instead of per operation) or files for {@code IOSQE_FIXED_FILE} (no
 * file-table lookup and reference count per operation). The table is registered sparse
 * ({@code REGISTER_BUFFERS2}/{@code FILES2}) at its first use and filled entry by entry with the
 * matching update, so nothing is pinned that no file operation asked for.
 *
 * <p>A refusal (registered buffers count against {@code RLIMIT_MEMLOCK} unless the process has
 * {@code CAP_IPC_LOCK}: {@code ENOMEM}) is logged once with its reason, and the table answers -1 from
 * then on: callers use the plain operations. Used only by the ring's shard thread.
 */
final class RegisteredTable {
    private static final Logger LOG = LoggerFactory.getLogger(RegisteredTable.class);
    private static final long IOV_BASE = offset(IOVEC, "iov_base");
    private static final long IOV_LEN = offset(IOVEC, "iov_len");
    private static final long RLIM_INFINITY = -1L;

    /** What a table holds. */
    enum Kind {
        BUFFERS(REGISTER_BUFFERS2, REGISTER_BUFFERS_UPDATE, "atoll.io-uring.registered-buffers",
                "file reads and writes use plain READ/WRITE"),
        FILES(REGISTER_FILES2, REGISTER_FILES_UPDATE2, "atoll.io-uring.registered-files",
                "file operations name plain descriptors");

        final int registerOpcode;
        final int updateOpcode;
        final String setting;
        final String fallback;

        Kind(int registerOpcode, int updateOpcode, String setting, String fallback) {
            this.registerOpcode = registerOpcode;
            this.updateOpcode = updateOpcode;
            this.setting = setting;
            this.fallback = fallback;
        }
    }

    private final Ring ring;
    private final Kind kind;
    private final int capacity;
    private final MemorySegment request;
    /** The update's data: one iovec (buffers) or one descriptor (files). */
    private final MemorySegment entry;
    /** Registered memory, kept reachable while the kernel may write into it; null for files. */
    private final MemorySegment[] buffers;
    /** Free indexes below {@link #next}, as a stack. */
    private final int[] free;
    private int freeCount;
    private int next;
    private int inUse;
    private boolean registered;
    /** Why the kernel refused the table, or null; once set, every request answers -1. */
    private String refusal;
    private boolean fullReported;

    RegisteredTable(Ring ring, Arena arena, Kind kind, int capacity) {
        this.ring = ring;
        this.kind = kind;
        this.capacity = capacity;
        this.request = arena.allocate(Math.max(RSRC_UPDATE2.byteSize(), RSRC_REGISTER.byteSize()), Long.BYTES);
        this.entry = arena.allocate(IOVEC);
        this.buffers = kind == Kind.BUFFERS ? new MemorySegment[capacity] : null;
        this.free = new int[capacity];
        if (capacity == 0) {
            refusal = kind.setting + " = 0";
        }
    }

    /** Registers {@code memory} (at most 1 GiB) as a fixed buffer: its index, or -1 (refused, full, or off). */
    int add(MemorySegment memory) {
        int index = claim();
        if (index < 0) {
            return -1;
        }
        entry.set(JAVA_LONG, IOV_BASE, memory.address());
        entry.set(JAVA_LONG, IOV_LEN, memory.byteSize());
        if (!update(index, memory.byteSize() + "-byte buffer")) {
            return -1;
        }
        buffers[index] = memory;
        return index;
    }

    /** Registers descriptor {@code fd} (the table takes its own reference to the file): its index, or -1. */
    int add(int fd) {
        int index = claim();
        if (index < 0) {
            return -1;
        }
        entry.set(JAVA_INT, 0, fd);
        return update(index, "file") ? index : -1;
    }

    /** Empties entry {@code index} of a file table (the kernel drops its reference once no operation uses it). */
    void remove(int index) {
        if (kind != Kind.FILES || index < 0 || index >= next) {
            throw new IllegalArgumentException("no registered file " + index);
        }
        entry.set(JAVA_INT, 0, -1);
        long r = request(kind.updateOpcode, index);
        if (r < 0) {
            throw new IllegalStateException("io_uring: emptying registered file " + index + " failed: "
                    + Errno.describe((int) -r));
        }
        free[freeCount++] = index;
        inUse--;
    }

    /** Entries in use. */
    int inUse() {
        return inUse;
    }

    private int claim() {
        if (refusal != null) {
            return -1;
        }
        if (!registered && !registerSparse()) {
            return -1;
        }
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (next == capacity) {
            if (!fullReported) {
                fullReported = true;
                LOG.info("io_uring: the registered {} table is full ({} entries, {}); beyond it {}",
                        kind.name().toLowerCase(), capacity, kind.setting, kind.fallback);
            }
            return -1;
        }
        return next++;
    }

    private boolean registerSparse() {
        request.fill((byte) 0);
        request.set(JAVA_INT, offset(RSRC_REGISTER, "nr"), capacity);
        request.set(JAVA_INT, offset(RSRC_REGISTER, "flags"), RSRC_REGISTER_SPARSE);
        long r = ring.register(kind.registerOpcode, request, RSRC_REGISTER.byteSize());
        if (r < 0) {
            refuse("registering a sparse table of " + capacity + " entries", (int) -r);
            return false;
        }
        registered = true;
        return true;
    }

    private boolean update(int index, String what) {
        long r = request(kind.updateOpcode, index);
        if (r != 1) {
            free[freeCount++] = index;
            refuse("registering a " + what, r < 0 ? (int) -r : LinuxConstants.EINVAL);
            return false;
        }
        inUse++;
        return true;
    }

    /** One {@code io_uring_rsrc_update2} of entry {@code index} with {@link #entry}. */
    private long request(int opcode, int index) {
        request.fill((byte) 0);
        request.set(JAVA_INT, offset(RSRC_UPDATE2, "offset"), index);
        request.set(JAVA_LONG, offset(RSRC_UPDATE2, "data"), entry.address());
        request.set(JAVA_INT, offset(RSRC_UPDATE2, "nr"), 1);
        return ring.register(opcode, request, RSRC_UPDATE2.byteSize());
    }

    private void refuse(String what, int errno) {
        refusal = what + " failed: " + Errno.describe(errno)
                + (errno == LinuxConstants.ENOMEM && kind == Kind.BUFFERS ? " " + lockedMemoryHint() : "");
        LOG.warn("io_uring: {}; from now on {} ({} entries registered stay in use)", refusal, kind.fallback, inUse);
    }

    /** The locked-memory limit registered buffers count against, and how to lift it. */
    private static String lockedMemoryHint() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(LinuxLibC.RLIMIT);
            if (LinuxLibC.getrlimit(Errno.allocate(arena), LinuxConstants.RLIMIT_MEMLOCK, limit) < 0) {
                return "(over the locked-memory limit; raise ulimit -l or grant CAP_IPC_LOCK)";
            }
            long soft = limit.get(JAVA_LONG, offset(LinuxLibC.RLIMIT, "rlim_cur"));
            return "(over the locked-memory limit RLIMIT_MEMLOCK = "
                    + (soft == RLIM_INFINITY ? "unlimited" : soft + " bytes")
                    + "; raise ulimit -l (LimitMEMLOCK= under systemd) or grant CAP_IPC_LOCK)";
        }
    }

    /** Why the table answers -1, or null while it accepts entries. */
    String refusal() {
        return refusal;
    }
}
