package dev.atoll.drivers.uring;

import dev.atoll.config.AtollConfig;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Platform;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A child JVM in which the kernel refuses {@code io_uring_setup} with EPERM, as a container's default
 * seccomp profile does: it installs that seccomp filter on itself (inherited by every thread it starts
 * later), then reports what {@code atoll.driver = auto} and {@code = io_uring} do.
 */
public final class RefuseIoUringMain {
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_SET_SECCOMP = 22;
    private static final int SECCOMP_MODE_FILTER = 2;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    private static final short BPF_LD_W_ABS = 0x20;
    private static final short BPF_JEQ_K = 0x15;
    private static final short BPF_RET_K = 0x06;
    /** {@code struct sock_filter}. */
    private static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(JAVA_SHORT.withName("code"),
            JAVA_BYTE.withName("jt"), JAVA_BYTE.withName("jf"), JAVA_INT.withName("k")).withName("sock_filter");
    /** {@code struct sock_fprog}. */
    private static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(6), ADDRESS.withName("filter")).withName("sock_fprog");

    private RefuseIoUringMain() {
    }

    public static void main(String[] args) throws Throwable {
        refuseIoUringSetup();
        String auto;
        try (Driver driver = Drivers.open(AtollConfig.parse("atoll.driver = auto", "child").settings())) {
            auto = driver.kind().displayName() + " | " + Drivers.choose(AtollConfig.parse("atoll.driver = auto",
                    "child").settings().driver(), Platform.current()).reason();
        }
        System.out.println("AUTO " + auto);
        try (Driver driver = Drivers.open(AtollConfig.parse("atoll.driver = io_uring", "child").settings())) {
            System.out.println("FORCED opened " + driver.kind().displayName());
        } catch (DriverUnavailableException e) {
            System.out.println("FORCED " + e.getMessage());
        }
    }

    /** seccomp filter: io_uring_setup (425 on x86_64 and aarch64) fails with EPERM, everything else is allowed. */
    private static void refuseIoUringSetup() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        Arena arena = Arena.global();
        int[][] program = {
                {BPF_LD_W_ABS, 0, 0, 0},                                  // A = seccomp_data.nr
                {BPF_JEQ_K, 0, 1, (int) IoUringAbi.SYS_IO_URING_SETUP},  // nr == io_uring_setup ?
                {BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM},
                {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
        };
        MemorySegment filter = arena.allocate(SOCK_FILTER, program.length);
        for (int i = 0; i < program.length; i++) {
            long at = i * SOCK_FILTER.byteSize();
            filter.set(JAVA_SHORT, at + SOCK_FILTER.byteOffset(groupElement("code")), (short) program[i][0]);
            filter.set(JAVA_BYTE, at + SOCK_FILTER.byteOffset(groupElement("jt")), (byte) program[i][1]);
            filter.set(JAVA_BYTE, at + SOCK_FILTER.byteOffset(groupElement("jf")), (byte) program[i][2]);
            filter.set(JAVA_INT, at + SOCK_FILTER.byteOffset(groupElement("k")), program[i][3]);
        }
        MemorySegment fprog = arena.allocate(SOCK_FPROG);
        fprog.set(JAVA_SHORT, SOCK_FPROG.byteOffset(groupElement("len")), (short) program.length);
        fprog.set(ADDRESS, SOCK_FPROG.byteOffset(groupElement("filter")), filter);
        if ((int) prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0
                || (int) prctl.invokeExact(PR_SET_SECCOMP, (long) SECCOMP_MODE_FILTER, fprog.address(), 0L, 0L) != 0) {
            System.out.println("NOSECCOMP");
            System.exit(0);
        }
    }
}
