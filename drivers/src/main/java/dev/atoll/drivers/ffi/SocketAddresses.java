package dev.atoll.drivers.ffi;

import dev.atoll.drivers.Os;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un} on this OS, and the
 * conversion between them and Java's {@link InetSocketAddress} / {@link UnixDomainSocketAddress}.
 * Linux starts each with a 16-bit family; macOS with a length byte and a family byte (a Linux-style
 * 16-bit family there reads as {@code AF_UNSPEC}). Ports are big-endian.
 */
public final class SocketAddresses {
    private static final boolean MACOS = Os.current() == Os.MACOS;
    private static final MemoryLayout PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_in}. */
    public static final StructLayout SOCKADDR_IN = sockaddrIn(MACOS);
    /** {@code struct sockaddr_in6}. */
    public static final StructLayout SOCKADDR_IN6 = sockaddrIn6(MACOS);
    /** {@code struct sockaddr_un}: {@code sun_path} is 108 bytes on Linux, 104 on macOS. */
    public static final StructLayout SOCKADDR_UN = sockaddrUn(MACOS);
    /** {@code struct sockaddr_storage}: room for any address; the same size on both systems. */
    public static final long STORAGE_SIZE = 128;
    /**
     * Where a received datagram's sender goes: a {@code sockaddr_storage}, then at
     * {@link #SLOT_LENGTH_OFFSET} its {@code socklen_t} (set to {@link #STORAGE_SIZE} before each receive).
     */
    public static final long SLOT_SIZE = STORAGE_SIZE + 8;
    public static final long SLOT_LENGTH_OFFSET = STORAGE_SIZE;

    /** The family of any of the three (same place in each); coordinates {@code (segment, 0L)}. */
    private static final VarHandle FAMILY = SOCKADDR_IN.varHandle(groupElement("sin_family"));
    private static final VarHandle SIN_PORT = SOCKADDR_IN.varHandle(groupElement("sin_port"));
    private static final long SIN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    private static final VarHandle SIN6_PORT = SOCKADDR_IN6.varHandle(groupElement("sin6_port"));
    private static final VarHandle SIN6_SCOPE_ID = SOCKADDR_IN6.varHandle(groupElement("sin6_scope_id"));
    private static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    private static final long SUN_PATH = SOCKADDR_UN.byteOffset(groupElement("sun_path"));
    private static final long SUN_PATH_SIZE = SOCKADDR_UN.byteSize() - SUN_PATH;

    private SocketAddresses() {
    }

    /** The {@code AF_*} family of {@code address}. */
    public static int family(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress inet -> inet.getAddress() instanceof Inet6Address
                    ? OsConstants.AF_INET6 : OsConstants.AF_INET;
            case UnixDomainSocketAddress ignored -> OsConstants.AF_UNIX;
            default -> throw new IllegalArgumentException("unsupported address type: " + address.getClass().getName());
        };
    }

    /**
     * Writes {@code address} into {@code storage} (at least {@link #STORAGE_SIZE} bytes) and returns
     * its length, the {@code socklen_t} to pass with it.
     *
     * @throws IllegalArgumentException for an unresolved host or a Unix path too long for {@code sun_path}
     */
    public static int encode(SocketAddress address, MemorySegment storage) {
        storage.asSlice(0, STORAGE_SIZE).fill((byte) 0);
        return switch (address) {
            case InetSocketAddress inet -> encodeInet(inet, storage);
            case UnixDomainSocketAddress unix -> encodeUnix(unix, storage);
            default -> throw new IllegalArgumentException("unsupported address type: " + address.getClass().getName());
        };
    }

    private static int encodeInet(InetSocketAddress inet, MemorySegment storage) {
        InetAddress host = inet.getAddress();
        if (host == null) {
            throw new IllegalArgumentException("unresolved address: " + inet);
        }
        byte[] bytes = host.getAddress();
        if (host instanceof Inet4Address) {
            int length = (int) SOCKADDR_IN.byteSize();
            header(storage, OsConstants.AF_INET, length);
            SIN_PORT.set(storage, 0L, (short) inet.getPort());
            MemorySegment.copy(bytes, 0, storage, JAVA_BYTE, SIN_ADDR, bytes.length);
            return length;
        }
        int length = (int) SOCKADDR_IN6.byteSize();
        header(storage, OsConstants.AF_INET6, length);
        SIN6_PORT.set(storage, 0L, (short) inet.getPort());
        MemorySegment.copy(bytes, 0, storage, JAVA_BYTE, SIN6_ADDR, bytes.length);
        SIN6_SCOPE_ID.set(storage, 0L, ((Inet6Address) host).getScopeId());
        return length;
    }

    private static int encodeUnix(UnixDomainSocketAddress unix, MemorySegment storage) {
        byte[] path = unix.getPath().toString().getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_SIZE) {
            throw new IllegalArgumentException("Unix socket path longer than " + (SUN_PATH_SIZE - 1) + " bytes: "
                    + unix.getPath());
        }
        int length = (int) (SUN_PATH + path.length + 1); // with the terminating NUL
        header(storage, OsConstants.AF_UNIX, length);
        MemorySegment.copy(path, 0, storage, JAVA_BYTE, SUN_PATH, path.length);
        return length;
    }

    /** Reads the address of {@code length} bytes that the kernel wrote into {@code storage}. */
    public static SocketAddress decode(MemorySegment storage, int length) {
        int family = MACOS ? (byte) FAMILY.get(storage, 0L) : (short) FAMILY.get(storage, 0L);
        try {
            if (family == OsConstants.AF_INET) {
                byte[] bytes = storage.asSlice(SIN_ADDR, 4).toArray(JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(bytes),
                        Short.toUnsignedInt((short) SIN_PORT.get(storage, 0L)));
            }
            if (family == OsConstants.AF_INET6) {
                byte[] bytes = storage.asSlice(SIN6_ADDR, 16).toArray(JAVA_BYTE);
                int scope = (int) SIN6_SCOPE_ID.get(storage, 0L);
                InetAddress host = scope != 0 ? Inet6Address.getByAddress(null, bytes, scope)
                        : InetAddress.getByAddress(bytes);
                return new InetSocketAddress(host, Short.toUnsignedInt((short) SIN6_PORT.get(storage, 0L)));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the kernel returned a malformed address", e); // lengths are fixed above
        }
        if (family == OsConstants.AF_UNIX) {
            long end = SUN_PATH;
            while (end < length && storage.get(JAVA_BYTE, end) != 0) {
                end++;
            }
            byte[] path = storage.asSlice(SUN_PATH, end - SUN_PATH).toArray(JAVA_BYTE);
            return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8)); // unnamed: ""
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }

    private static void header(MemorySegment storage, int family, int length) {
        if (MACOS) {
            storage.set(JAVA_BYTE, 0, (byte) length); // sa_len; the kernel sets it again from the length passed
            FAMILY.set(storage, 0L, (byte) family);
        } else {
            FAMILY.set(storage, 0L, (short) family);
        }
    }

    /** {@code struct sockaddr_in} of macOS ({@code macos}) or Linux; the layouts of both are tested on either. */
    static StructLayout sockaddrIn(boolean macos) {
        return struct(macos, "sockaddr_in", "sin", PORT.withName("sin_port"),
                MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
                MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));
    }

    /** {@code struct sockaddr_in6} of macOS or Linux. */
    static StructLayout sockaddrIn6(boolean macos) {
        return struct(macos, "sockaddr_in6", "sin6", PORT.withName("sin6_port"),
                JAVA_INT.withName("sin6_flowinfo"), MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
                JAVA_INT.withName("sin6_scope_id"));
    }

    /** {@code struct sockaddr_un} of macOS or Linux. */
    static StructLayout sockaddrUn(boolean macos) {
        return struct(macos, "sockaddr_un", "sun",
                MemoryLayout.sequenceLayout(macos ? 104 : 108, JAVA_BYTE).withName("sun_path"));
    }

    /**
     * A sockaddr struct: the family header (Linux: {@code sa_family_t family}, 16 bits; macOS:
     * {@code uint8 len, uint8 family}), then {@code fields}.
     */
    private static StructLayout struct(boolean macos, String name, String prefix, MemoryLayout... fields) {
        List<MemoryLayout> all = new ArrayList<>();
        if (macos) {
            all.add(JAVA_BYTE.withName(prefix + "_len"));
            all.add(JAVA_BYTE.withName(prefix + "_family"));
        } else {
            all.add(JAVA_SHORT.withName(prefix + "_family"));
        }
        all.addAll(List.of(fields));
        return MemoryLayout.structLayout(all.toArray(MemoryLayout[]::new)).withName(name);
    }
}
