package dev.atoll.drivers.ffi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The macOS and kqueue tables (struct layouts and constants) against the values recorded, with their
 * sources, in {@code reference/macos-kqueue.md} (sections 0.1-0.4 and 0.6). They run on every OS, so a
 * wrong number fails on Linux long before it misbehaves on a Mac.
 */
class MacosTablesTest {

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }

    private static long size(StructLayout layout, String field) {
        return layout.select(groupElement(field)).byteSize();
    }

    @Test
    void structKeventIs32BytesWithTheDocumentedOffsets() {
        StructLayout k = Kqueue.KEVENT;
        assertEquals(32, k.byteSize());
        long[][] table = {{0, 8}, {8, 2}, {10, 2}, {12, 4}, {16, 8}, {24, 8}}; // offset, size (ref. 0.1)
        String[] fields = {"ident", "filter", "flags", "fflags", "data", "udata"};
        for (int i = 0; i < fields.length; i++) {
            assertEquals(table[i][0], offset(k, fields[i]), fields[i]);
            assertEquals(table[i][1], size(k, fields[i]), fields[i]);
        }
        // pack(4) in the C header, but every field sits on its natural alignment: arrays have stride 32.
        assertEquals(k.byteSize(), MemoryLayout.sequenceLayout(2, k).byteSize() / 2);
    }

    @Test
    void kqueueConstantsAndTheEvfiltUserOfEachFlavour() {
        assertEquals(-1, Kqueue.EVFILT_READ);
        assertEquals(-2, Kqueue.EVFILT_WRITE);
        assertEquals(-10, Kqueue.Flavor.MACOS.evfiltUser());
        assertEquals(-11, Kqueue.Flavor.LIBKQUEUE.evfiltUser(), "-10 is EVFILT_LIO in libkqueue");
        assertEquals(0x0001, Kqueue.EV_ADD);
        assertEquals(0x0002, Kqueue.EV_DELETE);
        assertEquals(0x0020, Kqueue.EV_CLEAR);
        assertEquals(0x0040, Kqueue.EV_RECEIPT);
        assertEquals(0x4000, Kqueue.EV_ERROR);
        assertEquals(0x8000, Kqueue.EV_EOF);
        assertEquals(0x0100_0000, Kqueue.NOTE_TRIGGER);
        assertEquals(0, Kqueue.NOTE_FFNOP);
        assertEquals("libkqueue.so.0", Kqueue.Flavor.LIBKQUEUE.library());
        assertEquals(Kqueue.Flavor.MACOS, Kqueue.Flavor.of(dev.atoll.drivers.Os.MACOS));
        assertEquals(Kqueue.Flavor.LIBKQUEUE, Kqueue.Flavor.of(dev.atoll.drivers.Os.LINUX));
    }

    @Test
    void timespecIsTwoLongs() {
        assertEquals(16, LibC.TIMESPEC.byteSize());
        assertEquals(0, offset(LibC.TIMESPEC, "tv_sec"));
        assertEquals(8, offset(LibC.TIMESPEC, "tv_nsec"));
    }

    @Test
    void macosSockaddrsStartWithALengthByteAndAOneByteFamily() {
        StructLayout in = SocketAddresses.sockaddrIn(true);
        assertEquals(16, in.byteSize());
        assertEquals(0, offset(in, "sin_len"));
        assertEquals(1, offset(in, "sin_family"));
        assertEquals(1, size(in, "sin_family"), "sa_family_t is one byte on macOS");
        assertEquals(2, offset(in, "sin_port"));
        assertEquals(4, offset(in, "sin_addr"));
        assertEquals(8, offset(in, "sin_zero"));

        StructLayout in6 = SocketAddresses.sockaddrIn6(true);
        assertEquals(28, in6.byteSize());
        assertEquals(1, offset(in6, "sin6_family"));
        assertEquals(2, offset(in6, "sin6_port"));
        assertEquals(4, offset(in6, "sin6_flowinfo"));
        assertEquals(8, offset(in6, "sin6_addr"));
        assertEquals(24, offset(in6, "sin6_scope_id"));

        StructLayout un = SocketAddresses.sockaddrUn(true);
        assertEquals(106, un.byteSize());
        assertEquals(2, offset(un, "sun_path"));
    }

    @Test
    void linuxSockaddrsStartWithATwoByteFamily() {
        StructLayout in = SocketAddresses.sockaddrIn(false);
        assertEquals(16, in.byteSize());
        assertEquals(0, offset(in, "sin_family"));
        assertEquals(2, size(in, "sin_family"));
        assertEquals(2, offset(in, "sin_port"));
        assertEquals(4, offset(in, "sin_addr"));
        assertEquals(28, SocketAddresses.sockaddrIn6(false).byteSize());
        assertEquals(24, offset(SocketAddresses.sockaddrIn6(false), "sin6_scope_id"));
        assertEquals(110, SocketAddresses.sockaddrUn(false).byteSize());
    }

    @Test
    void macosErrnoValuesThatDifferFromLinux() {
        int[][] table = { // macOS, Linux (ref. 0.3)
                {MacosConstants.EAGAIN, 35, LinuxConstants.EAGAIN, 11},
                {MacosConstants.EINPROGRESS, 36, LinuxConstants.EINPROGRESS, 115},
                {MacosConstants.EALREADY, 37, LinuxConstants.EALREADY, 114},
                {MacosConstants.EADDRINUSE, 48, LinuxConstants.EADDRINUSE, 98},
                {MacosConstants.ECONNABORTED, 53, LinuxConstants.ECONNABORTED, 103},
                {MacosConstants.ECONNRESET, 54, LinuxConstants.ECONNRESET, 104},
                {MacosConstants.ENOBUFS, 55, LinuxConstants.ENOBUFS, 105},
                {MacosConstants.ENOTCONN, 57, LinuxConstants.ENOTCONN, 107},
                {MacosConstants.ETIMEDOUT, 60, LinuxConstants.ETIMEDOUT, 110},
                {MacosConstants.ECONNREFUSED, 61, LinuxConstants.ECONNREFUSED, 111},
                {MacosConstants.ECANCELED, 89, LinuxConstants.ECANCELED, 125},
                {MacosConstants.EPIPE, 32, LinuxConstants.EPIPE, 32},
                {MacosConstants.ENOENT, 2, LinuxConstants.ENOENT, 2},
                {MacosConstants.EMFILE, 24, LinuxConstants.EMFILE, 24}};
        for (int[] row : table) {
            assertEquals(row[1], row[0]);
            assertEquals(row[3], row[2]);
        }
        assertEquals("EAGAIN", MacosConstants.errnoName(35));
        assertEquals("EDEADLK", MacosConstants.errnoName(11), "11 is EDEADLK on macOS, not EAGAIN");
    }

    @Test
    void macosSocketFileAndQosConstants() {
        int[][] table = { // ref. 0.4 and 0.6
                {MacosConstants.SOL_SOCKET, 0xffff}, {MacosConstants.SO_REUSEADDR, 0x4},
                {MacosConstants.SO_KEEPALIVE, 0x8}, {MacosConstants.SO_REUSEPORT, 0x200},
                {MacosConstants.SO_SNDBUF, 0x1001}, {MacosConstants.SO_RCVBUF, 0x1002},
                {MacosConstants.SO_ERROR, 0x1007}, {MacosConstants.SO_LINGER_SEC, 0x1080},
                {MacosConstants.SO_NOSIGPIPE, 0x1022}, {MacosConstants.TCP_KEEPALIVE, 0x10},
                {MacosConstants.IPV6_V6ONLY, 27}, {MacosConstants.MSG_NOSIGNAL, 0x80000},
                {MacosConstants.AF_INET6, 30},
                {MacosConstants.O_NONBLOCK, 0x4}, {MacosConstants.O_APPEND, 0x8}, {MacosConstants.O_CREAT, 0x200},
                {MacosConstants.O_TRUNC, 0x400}, {MacosConstants.O_EXCL, 0x800},
                {MacosConstants.O_CLOEXEC, 0x0100_0000}, {MacosConstants.F_SETFD, 2}, {MacosConstants.F_GETFL, 3},
                {MacosConstants.F_SETFL, 4}, {MacosConstants.FD_CLOEXEC, 1}, {MacosConstants.F_FULLFSYNC, 51},
                {MacosConstants.QOS_CLASS_USER_INTERACTIVE, 0x21}, {MacosConstants.QOS_CLASS_USER_INITIATED, 0x19},
                {MacosConstants.QOS_CLASS_DEFAULT, 0x15}, {MacosConstants.QOS_CLASS_UTILITY, 0x11},
                {MacosConstants.QOS_CLASS_BACKGROUND, 0x09}};
        for (int i = 0; i < table.length; i++) {
            assertEquals(table[i][1], table[i][0], "row " + i);
        }
    }
}
