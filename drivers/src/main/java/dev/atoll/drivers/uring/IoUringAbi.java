package dev.atoll.drivers.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The io_uring kernel ABI ({@code <linux/io_uring.h>}): the structs as {@link MemoryLayout}s with
 * named fields, the field offsets derived from them, and the constants this driver uses. The same on
 * x86_64 and aarch64. The one place where io_uring numbers live.
 */
final class IoUringAbi {
    // System call numbers (x86_64 and aarch64 share them).
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    // io_uring_setup flags.
    static final int SETUP_CQSIZE = 1 << 3;
    static final int SETUP_CLAMP = 1 << 4;
    static final int SETUP_SUBMIT_ALL = 1 << 7;
    static final int SETUP_COOP_TASKRUN = 1 << 8;
    static final int SETUP_TASKRUN_FLAG = 1 << 9;
    static final int SETUP_SINGLE_ISSUER = 1 << 12;
    static final int SETUP_DEFER_TASKRUN = 1 << 13;

    // io_uring_params.features.
    static final int FEAT_SINGLE_MMAP = 1;
    static final int FEAT_NODROP = 1 << 1;
    static final int FEAT_FAST_POLL = 1 << 5;
    static final int FEAT_EXT_ARG = 1 << 8;

    // io_uring_enter flags.
    static final int ENTER_GETEVENTS = 1;
    static final int ENTER_EXT_ARG = 1 << 3;
    static final int ENTER_REGISTERED_RING = 1 << 4;

    // Submission ring flags (sq_off.flags), written by the kernel.
    static final int SQ_CQ_OVERFLOW = 1 << 1;
    static final int SQ_TASKRUN = 1 << 2;

    // mmap offsets.
    static final long OFF_SQ_RING = 0L;
    static final long OFF_CQ_RING = 0x8000000L;
    static final long OFF_SQES = 0x10000000L;

    // Opcodes.
    static final byte OP_NOP = 0;
    static final byte OP_FSYNC = 3;
    static final byte OP_READ_FIXED = 4;
    static final byte OP_WRITE_FIXED = 5;
    static final byte OP_POLL_ADD = 6;
    static final byte OP_SENDMSG = 9;
    static final byte OP_RECVMSG = 10;
    static final byte OP_TIMEOUT = 11;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_LINK_TIMEOUT = 15;
    static final byte OP_CONNECT = 16;
    static final byte OP_OPENAT = 18;
    static final byte OP_CLOSE = 19;
    static final byte OP_STATX = 21;
    static final byte OP_READ = 22;
    static final byte OP_WRITE = 23;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;
    static final byte OP_SHUTDOWN = 34;
    static final byte OP_MSG_RING = 40;
    static final byte OP_SOCKET = 45;
    static final byte OP_SEND_ZC = 47;

    // sqe.flags.
    /** {@code sqe.fd} is an index into the ring's registered file table. */
    static final byte SQE_FIXED_FILE = 1;
    static final byte SQE_IO_LINK = 1 << 2;
    static final byte SQE_BUFFER_SELECT = 1 << 5;
    static final byte SQE_CQE_SKIP_SUCCESS = 1 << 6;

    // sqe.ioprio of ACCEPT and RECV.
    static final short ACCEPT_MULTISHOT = 1;
    static final short RECV_MULTISHOT = 2;

    // sqe.op_flags values.
    static final int FSYNC_DATASYNC = 1;
    static final int ASYNC_CANCEL_ALL = 1;
    static final int ASYNC_CANCEL_FD = 1 << 1;
    static final int ASYNC_CANCEL_ANY = 1 << 2;
    static final int MSG_RING_CQE_SKIP = 1;
    /** {@code sqe.addr} of MSG_RING: post a CQE with {@code len} as its result and {@code off} as its user_data. */
    static final long MSG_DATA = 0;

    // cqe.flags.
    static final int CQE_F_BUFFER = 1;
    static final int CQE_F_MORE = 1 << 1;
    static final int CQE_F_NOTIF = 1 << 3;
    static final int CQE_BUFFER_SHIFT = 16;

    // io_uring_register opcodes.
    static final int REGISTER_PROBE = 8;
    static final int REGISTER_FILES2 = 13;
    static final int REGISTER_FILES_UPDATE2 = 14;
    static final int REGISTER_BUFFERS2 = 15;
    static final int REGISTER_BUFFERS_UPDATE = 16;
    static final int REGISTER_IOWQ_MAX_WORKERS = 19;
    static final int REGISTER_RING_FDS = 20;
    static final int REGISTER_PBUF_RING = 22;
    static final int UNREGISTER_PBUF_RING = 23;

    /** {@code io_uring_rsrc_register.flags}: a table of empty entries, filled later by updates. */
    static final int RSRC_REGISTER_SPARSE = 1;

    /** {@code io_uring_probe_op.flags}: the opcode is supported. */
    static final int OP_SUPPORTED = 1;

    // poll(2) events, as POLL_ADD takes and returns them.
    static final int POLLIN = 0x001;
    static final int POLLOUT = 0x004;
    static final int POLLERR = 0x008;
    static final int POLLHUP = 0x010;
    static final int POLLRDHUP = 0x2000;

    // mmap(2).
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_POPULATE = 0x8000;

    /** {@code struct io_sqring_offsets}. */
    static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"))
            .withName("io_sqring_offsets");

    /** {@code struct io_cqring_offsets}. */
    static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"))
            .withName("io_cqring_offsets");

    /** {@code struct io_uring_params} (120 bytes). */
    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"), CQRING_OFFSETS.withName("cq_off"))
            .withName("io_uring_params");

    /** {@code struct io_uring_sqe} (64 bytes), with the union members this driver writes named. */
    static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),          // union: off, addr2
            JAVA_LONG.withName("addr"),         // union: addr, splice_off_in
            JAVA_INT.withName("len"),
            JAVA_INT.withName("op_flags"),      // union: rw_flags, msg_flags, poll32_events, accept_flags, ...
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"),   // union: buf_index, buf_group
            JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("file_index"),    // union: splice_fd_in, file_index, addr_len
            JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("pad2"))
            .withName("io_uring_sqe");

    /** {@code struct io_uring_cqe} (16 bytes). */
    static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"))
            .withName("io_uring_cqe");

    /** {@code struct __kernel_timespec}. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec")).withName("__kernel_timespec");

    /** {@code struct io_uring_getevents_arg} (24 bytes), for {@link #ENTER_EXT_ARG}. */
    static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), JAVA_INT.withName("min_wait_usec"),
            JAVA_LONG.withName("ts")).withName("io_uring_getevents_arg");

    /** {@code struct io_uring_probe_op} (8 bytes). */
    static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"), JAVA_BYTE.withName("resv"), JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2")).withName("io_uring_probe_op");

    /** {@code struct io_uring_probe} without its flexible {@code ops[]} (16 bytes). */
    static final StructLayout PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"), JAVA_BYTE.withName("ops_len"), JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2")).withName("io_uring_probe");

    /** {@code struct io_uring_rsrc_update}, for {@link #REGISTER_RING_FDS}. */
    static final StructLayout RSRC_UPDATE = MemoryLayout.structLayout(
            JAVA_INT.withName("offset"), JAVA_INT.withName("resv"), JAVA_LONG.withName("data"))
            .withName("io_uring_rsrc_update");

    /** {@code struct io_uring_rsrc_register} (32 bytes), for {@link #REGISTER_BUFFERS2} and {@link #REGISTER_FILES2}. */
    static final StructLayout RSRC_REGISTER = MemoryLayout.structLayout(
            JAVA_INT.withName("nr"), JAVA_INT.withName("flags"), JAVA_LONG.withName("resv2"),
            JAVA_LONG.withName("data"), JAVA_LONG.withName("tags")).withName("io_uring_rsrc_register");

    /**
     * {@code struct io_uring_rsrc_update2} (32 bytes), for {@link #REGISTER_BUFFERS_UPDATE} ({@code data}: an
     * array of {@link #IOVEC}) and {@link #REGISTER_FILES_UPDATE2} ({@code data}: an array of {@code int}
     * descriptors, -1 empties an entry).
     */
    static final StructLayout RSRC_UPDATE2 = MemoryLayout.structLayout(
            JAVA_INT.withName("offset"), JAVA_INT.withName("resv"), JAVA_LONG.withName("data"),
            JAVA_LONG.withName("tags"), JAVA_INT.withName("nr"), JAVA_INT.withName("resv2"))
            .withName("io_uring_rsrc_update2");

    /** {@code struct io_uring_buf_reg} (40 bytes), for {@link #REGISTER_PBUF_RING}. */
    static final StructLayout BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"), MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"))
            .withName("io_uring_buf_reg");

    /** {@code struct io_uring_buf} (16 bytes): one entry of a provided buffer ring; the ring's tail overlays the first entry's {@code resv}. */
    static final StructLayout BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv")).withName("io_uring_buf");

    /** {@code struct iovec}. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");

    /** {@code struct msghdr} on LP64 (56 bytes). */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4)).withName("msghdr");

    private IoUringAbi() {
    }

    /** Byte offset of field {@code name} in {@code layout}. */
    static long offset(StructLayout layout, String name) {
        return layout.byteOffset(groupElement(name));
    }

    /** Byte offset of {@code field} of the nested struct {@code outer} in {@code layout}. */
    static long offset(StructLayout layout, String outer, String field) {
        return layout.byteOffset(groupElement(outer), groupElement(field));
    }
}
