package dev.atoll.drivers.uring;

import dev.atoll.drivers.Os;
import dev.atoll.drivers.ffi.ErrnoException;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.LinuxConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static dev.atoll.drivers.uring.IoUringAbi.FEAT_EXT_ARG;
import static dev.atoll.drivers.uring.IoUringAbi.FEAT_FAST_POLL;
import static dev.atoll.drivers.uring.IoUringAbi.FEAT_NODROP;
import static dev.atoll.drivers.uring.IoUringAbi.OP_ACCEPT;
import static dev.atoll.drivers.uring.IoUringAbi.OP_ASYNC_CANCEL;
import static dev.atoll.drivers.uring.IoUringAbi.OP_CLOSE;
import static dev.atoll.drivers.uring.IoUringAbi.OP_LINK_TIMEOUT;
import static dev.atoll.drivers.uring.IoUringAbi.OP_READ_FIXED;
import static dev.atoll.drivers.uring.IoUringAbi.OP_TIMEOUT;
import static dev.atoll.drivers.uring.IoUringAbi.OP_WRITE_FIXED;
import static dev.atoll.drivers.uring.IoUringAbi.OP_SHUTDOWN;
import static dev.atoll.drivers.uring.IoUringAbi.OP_STATX;
import static dev.atoll.drivers.uring.IoUringAbi.OP_CONNECT;
import static dev.atoll.drivers.uring.IoUringAbi.OP_FSYNC;
import static dev.atoll.drivers.uring.IoUringAbi.OP_MSG_RING;
import static dev.atoll.drivers.uring.IoUringAbi.OP_NOP;
import static dev.atoll.drivers.uring.IoUringAbi.OP_OPENAT;
import static dev.atoll.drivers.uring.IoUringAbi.OP_POLL_ADD;
import static dev.atoll.drivers.uring.IoUringAbi.OP_READ;
import static dev.atoll.drivers.uring.IoUringAbi.OP_RECV;
import static dev.atoll.drivers.uring.IoUringAbi.OP_RECVMSG;
import static dev.atoll.drivers.uring.IoUringAbi.OP_SEND;
import static dev.atoll.drivers.uring.IoUringAbi.OP_SENDMSG;
import static dev.atoll.drivers.uring.IoUringAbi.OP_SEND_ZC;
import static dev.atoll.drivers.uring.IoUringAbi.OP_SOCKET;
import static dev.atoll.drivers.uring.IoUringAbi.OP_SUPPORTED;
import static dev.atoll.drivers.uring.IoUringAbi.OP_WRITE;
import static dev.atoll.drivers.uring.IoUringAbi.PROBE;
import static dev.atoll.drivers.uring.IoUringAbi.PROBE_OP;
import static dev.atoll.drivers.uring.IoUringAbi.REGISTER_PROBE;
import static dev.atoll.drivers.uring.IoUringAbi.SETUP_COOP_TASKRUN;
import static dev.atoll.drivers.uring.IoUringAbi.SETUP_CQSIZE;
import static dev.atoll.drivers.uring.IoUringAbi.SETUP_DEFER_TASKRUN;
import static dev.atoll.drivers.uring.IoUringAbi.SETUP_SINGLE_ISSUER;
import static dev.atoll.drivers.uring.IoUringAbi.SETUP_SUBMIT_ALL;
import static dev.atoll.drivers.uring.IoUringAbi.SETUP_TASKRUN_FLAG;
import static dev.atoll.drivers.uring.IoUringAbi.offset;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * What io_uring can do on this machine, found once per process by a start-up probe: which setup flags
 * the kernel accepts (tried from the best down), the features it reports, and the opcodes
 * {@code IORING_REGISTER_PROBE} lists. {@link IoUringDriver} uses what it finds; when a required part
 * is missing the driver is unavailable and {@link #reason()} says why.
 *
 * @param available   true when the driver can run
 * @param reason      why it can or cannot, in words (for the start-up log and errors)
 * @param setupFlags  the {@code io_uring_setup} flags to use
 * @param opcodes     the opcodes the kernel supports
 */
public record IoUringSupport(boolean available, String reason, int setupFlags, BitSet opcodes) {
    /** Setup flag sets, best first: each shard is the only issuer of its ring, and completions are run when it asks. */
    private static final int[] SETUP_LADDER = {
            SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN | SETUP_TASKRUN_FLAG | SETUP_SUBMIT_ALL | SETUP_CQSIZE,
            SETUP_SINGLE_ISSUER | SETUP_COOP_TASKRUN | SETUP_TASKRUN_FLAG | SETUP_SUBMIT_ALL | SETUP_CQSIZE,
            SETUP_COOP_TASKRUN | SETUP_TASKRUN_FLAG | SETUP_SUBMIT_ALL | SETUP_CQSIZE,
            SETUP_CQSIZE,
    };
    private static final byte[] REQUIRED_OPS = {OP_NOP, OP_POLL_ADD, OP_ACCEPT, OP_CONNECT, OP_RECV, OP_SEND,
            OP_RECVMSG, OP_SENDMSG, OP_ASYNC_CANCEL, OP_READ, OP_WRITE, OP_FSYNC, OP_OPENAT, OP_CLOSE, OP_STATX,
            OP_SHUTDOWN, OP_LINK_TIMEOUT, OP_TIMEOUT, OP_READ_FIXED, OP_WRITE_FIXED};
    private static final int REQUIRED_FEATURES = FEAT_NODROP | FEAT_EXT_ARG | FEAT_FAST_POLL;
    private static final int PROBE_OPS = 256;

    private static volatile IoUringSupport probed;

    /** The probe's result for this process (probed on first use). */
    public static IoUringSupport current() {
        IoUringSupport result = probed;
        if (result == null) {
            synchronized (IoUringSupport.class) {
                result = probed;
                if (result == null) {
                    result = probe();
                    probed = result;
                }
            }
        }
        return result;
    }

    /** True when the kernel supports {@code opcode}. */
    public boolean supports(byte opcode) {
        return opcodes.get(opcode & 0xFF);
    }

    /** True when wake-ups between rings can use {@code IORING_OP_MSG_RING}. */
    public boolean msgRing() {
        return supports(OP_MSG_RING);
    }

    /** True when large sends can use {@code IORING_OP_SEND_ZC}. */
    public boolean sendZeroCopy() {
        return supports(OP_SEND_ZC);
    }

    /**
     * True when ACCEPT takes {@code IORING_ACCEPT_MULTISHOT}. The probe lists opcodes, not flags: the flag came
     * with kernel 5.19, as did {@code IORING_OP_SOCKET}, whose presence stands for it.
     */
    public boolean multishotAccept() {
        return supports(OP_SOCKET);
    }

    private static IoUringSupport probe() {
        if (Os.current() != Os.LINUX) {
            return unavailable("io_uring is Linux-only; this is " + Os.current().displayName());
        }
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = null;
            ErrnoException refusal = null;
            int flags = 0;
            for (int candidate : SETUP_LADDER) {
                try {
                    ring = Ring.open(arena, 8, 16, candidate);
                    flags = candidate;
                    break;
                } catch (ErrnoException e) {
                    refusal = e;
                    if (e.errno() != LinuxConstants.EINVAL) {
                        break; // EPERM, ENOSYS, ENOMEM: no flag set will do better
                    }
                }
            }
            if (ring == null) {
                return unavailable(refusal.getMessage() + hint(refusal.errno()));
            }
            try {
                return inspect(arena, ring, flags);
            } finally {
                ring.close();
            }
        }
    }

    private static IoUringSupport inspect(Arena arena, Ring ring, int flags) {
        if ((ring.features & REQUIRED_FEATURES) != REQUIRED_FEATURES) {
            return unavailable("the kernel's io_uring lacks features this driver needs (NODROP, EXT_ARG, FAST_POLL: "
                    + "kernel 5.11 or later); features 0x" + Integer.toHexString(ring.features));
        }
        MemorySegment probe = arena.allocate(PROBE.byteSize() + PROBE_OPS * PROBE_OP.byteSize(), 8);
        long r = ring.register(REGISTER_PROBE, probe, PROBE_OPS);
        if (r < 0) {
            return unavailable("IORING_REGISTER_PROBE failed: " + Errno.describe((int) -r));
        }
        int count = probe.get(JAVA_BYTE, offset(PROBE, "ops_len")) & 0xFF;
        BitSet opcodes = new BitSet(count);
        for (int i = 0; i < count; i++) {
            long at = PROBE.byteSize() + i * PROBE_OP.byteSize();
            if ((probe.get(JAVA_SHORT, at + offset(PROBE_OP, "flags")) & OP_SUPPORTED) != 0) {
                opcodes.set(probe.get(JAVA_BYTE, at + offset(PROBE_OP, "op")) & 0xFF);
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (byte op : REQUIRED_OPS) {
            if (!opcodes.get(op)) {
                missing.add((int) op);
            }
        }
        if (!missing.isEmpty()) {
            return unavailable("the kernel's io_uring lacks opcodes this driver needs: " + missing);
        }
        String reason = "io_uring_setup flags 0x" + Integer.toHexString(flags) + describe(flags)
                + "; MSG_RING " + (opcodes.get(OP_MSG_RING) ? "yes" : "no (wake-ups by eventfd)")
                + "; SEND_ZC " + (opcodes.get(OP_SEND_ZC) ? "yes" : "no")
                + "; multishot accept " + (opcodes.get(OP_SOCKET) ? "yes" : "no")
                + "; " + opcodes.cardinality() + " opcodes";
        return new IoUringSupport(true, reason, flags, opcodes);
    }

    private static String describe(int flags) {
        List<String> names = new ArrayList<>();
        if ((flags & SETUP_SINGLE_ISSUER) != 0) {
            names.add("SINGLE_ISSUER");
        }
        if ((flags & SETUP_DEFER_TASKRUN) != 0) {
            names.add("DEFER_TASKRUN");
        }
        if ((flags & SETUP_COOP_TASKRUN) != 0) {
            names.add("COOP_TASKRUN");
        }
        return " (" + (names.isEmpty() ? "plain" : String.join("|", names)) + ")";
    }

    private static String hint(int errno) {
        if (errno == LinuxConstants.EPERM) {
            return " (io_uring is refused here: a container's seccomp profile or kernel.io_uring_disabled)";
        }
        if (errno == LinuxConstants.ENOSYS) {
            return " (this kernel has no io_uring: 5.1 or later is needed)";
        }
        if (errno == LinuxConstants.ENOMEM) {
            return " (the kernel could not allocate the rings: memory or locked-memory limits)";
        }
        return "";
    }

    private static IoUringSupport unavailable(String reason) {
        return new IoUringSupport(false, reason, 0, new BitSet());
    }
}
