package dev.atoll.drivers;

import dev.atoll.config.ConfigReader;
import dev.atoll.config.QosClass;
import dev.atoll.config.ShardSettings;
import dev.atoll.drivers.ffi.Errno;
import dev.atoll.drivers.ffi.MacosConstants;
import dev.atoll.drivers.ffi.MacosLibC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Places the calling shard thread: pins it to one CPU on Linux, sets its QoS class on macOS (where
 * affinity does not exist on Apple Silicon). A failure is not fatal: the shard runs unplaced, and the
 * first failure in the process is logged.
 */
public final class ThreadPlacement {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadPlacement.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ThreadPlacement() {
    }

    /**
     * Places the calling thread, which must be shard {@code shardIndex}'s own thread.
     *
     * @return what was done, for logs: {@code cpu 1}, {@code qos user-interactive},
     *         {@code unpinned (pin = false)}, {@code unpinned (sched_setaffinity(cpu 3) failed: errno 22 (EINVAL))}
     */
    public static String place(int shardIndex, ShardSettings settings, Platform platform) {
        return switch (platform.os()) {
            case LINUX -> settings.pin() ? pin(shardIndex, platform.usableCpus()) : "unpinned (pin = false)";
            case MACOS -> setQos(settings.qos());
            case OTHER -> "unplaced (no thread placement on this OS)";
        };
    }

    private static String pin(int shardIndex, List<Integer> cpus) {
        int cpu = cpus.get(Math.floorMod(shardIndex, cpus.size()));
        int r = LinuxAffinity.pinCallingThread(cpu);
        if (r < 0) {
            return "unpinned (" + failed("sched_setaffinity(cpu " + cpu + ")", -r) + ")";
        }
        return "cpu " + cpu;
    }

    private static String setQos(QosClass qos) {
        if (qos == QosClass.NONE) {
            return "qos unchanged (qos = none)";
        }
        String name = ConfigReader.kebab(qos);
        int error = MacosLibC.pthreadSetQosClassSelfNp(qosValue(qos), 0);
        if (error != 0) {
            return "qos unchanged (" + failed("pthread_set_qos_class_self_np(" + name + ")", error) + ")";
        }
        return "qos " + name;
    }

    static int qosValue(QosClass qos) {
        return switch (qos) {
            case USER_INTERACTIVE -> MacosConstants.QOS_CLASS_USER_INTERACTIVE;
            case USER_INITIATED -> MacosConstants.QOS_CLASS_USER_INITIATED;
            case DEFAULT -> MacosConstants.QOS_CLASS_DEFAULT;
            case UTILITY -> MacosConstants.QOS_CLASS_UTILITY;
            case BACKGROUND -> MacosConstants.QOS_CLASS_BACKGROUND;
            case NONE -> throw new IllegalArgumentException("qos = none has no QoS class");
        };
    }

    private static String failed(String call, int errno) {
        String reason = call + " failed: " + Errno.describe(errno);
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("Thread placement failed, shards run unplaced: {} (further placement failures are not logged)",
                    reason);
        }
        return reason;
    }
}
