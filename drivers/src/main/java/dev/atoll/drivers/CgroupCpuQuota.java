package dev.atoll.drivers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The CPU quota of this process's cgroup, in CPUs (a quota of 150 ms per 100 ms period is 1.5),
 * read from files only, so tests run it on recorded trees. Understands cgroup v1
 * ({@code cpu/cpu.cfs_quota_us} and {@code cpu.cfs_period_us}) and v2 ({@code cpu.max}), and takes
 * the smallest quota on the way from the process's cgroup up to the root.
 */
public final class CgroupCpuQuota {

    private CgroupCpuQuota() {
    }

    /**
     * @param root            where the cgroup file systems are mounted ({@code /sys/fs/cgroup})
     * @param procSelfCgroup  the process's cgroup membership ({@code /proc/self/cgroup})
     * @return the quota in CPUs, or empty when there is none (unlimited, or no cgroup information)
     */
    public static OptionalDouble read(Path root, Path procSelfCgroup) {
        List<String> lines = readLines(procSelfCgroup).orElse(List.of());
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && Arrays.asList(parts[1].split(",")).contains("cpu")) {
                Path mount = Files.isDirectory(root.resolve(parts[1])) ? root.resolve(parts[1]) : root.resolve("cpu");
                if (Files.isDirectory(mount)) {
                    return smallest(Version.V1, mount, parts[2]);
                }
            }
        }
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && parts[0].equals("0") && parts[1].isEmpty()) {
                return smallest(Version.V2, root, parts[2]);
            }
        }
        if (Files.isDirectory(root.resolve("cpu"))) {
            return smallest(Version.V1, root.resolve("cpu"), "/");
        }
        return smallest(Version.V2, root, "/");
    }

    /** The first {@code ceil(quota)} of {@code cpus} (at least one); all of them without a quota. */
    public static List<Integer> cap(List<Integer> cpus, OptionalDouble quota) {
        if (quota.isEmpty() || cpus.isEmpty()) {
            return List.copyOf(cpus);
        }
        int allowed = (int) Math.max(1, Math.ceil(quota.getAsDouble()));
        return List.copyOf(cpus.subList(0, Math.min(allowed, cpus.size())));
    }

    /** Walks from the process's cgroup directory up to the mount point, keeping the smallest quota. */
    private static OptionalDouble smallest(Version version, Path mount, String cgroupPath) {
        Path dir = mount.resolve(cgroupPath.replaceFirst("^/+", "")).normalize();
        if (!dir.startsWith(mount) || !Files.isDirectory(dir)) {
            dir = mount; // a cgroup path of the host, seen from a container whose mount is its own cgroup
        }
        OptionalDouble smallest = OptionalDouble.empty();
        for (Path d = dir; d != null && d.startsWith(mount); d = d.getParent()) {
            OptionalDouble here = version.quotaIn(d);
            if (here.isPresent() && (smallest.isEmpty() || here.getAsDouble() < smallest.getAsDouble())) {
                smallest = here;
            }
        }
        return smallest;
    }

    private enum Version {
        V1 {
            @Override
            OptionalDouble quotaIn(Path dir) {
                Optional<String> quota = firstLine(dir.resolve("cpu.cfs_quota_us"));
                Optional<String> period = firstLine(dir.resolve("cpu.cfs_period_us"));
                if (quota.isEmpty() || period.isEmpty()) {
                    return OptionalDouble.empty();
                }
                return ratio(quota.get(), period.get());
            }
        },
        V2 {
            @Override
            OptionalDouble quotaIn(Path dir) {
                Optional<String> max = firstLine(dir.resolve("cpu.max"));
                if (max.isEmpty()) {
                    return OptionalDouble.empty();
                }
                String[] fields = max.get().split("\\s+");
                return fields[0].equals("max") ? OptionalDouble.empty()
                        : ratio(fields[0], fields.length > 1 ? fields[1] : "100000");
            }
        };

        abstract OptionalDouble quotaIn(Path dir);
    }

    /** quota / period; empty for an unlimited (negative) or unreadable quota. */
    private static OptionalDouble ratio(String quota, String period) {
        try {
            long q = Long.parseLong(quota.trim());
            long p = Long.parseLong(period.trim());
            return q > 0 && p > 0 ? OptionalDouble.of((double) q / p) : OptionalDouble.empty();
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private static Optional<String> firstLine(Path file) {
        return readLines(file).flatMap(lines -> lines.stream().findFirst()).map(String::trim);
    }

    private static Optional<List<String>> readLines(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllLines(file));
        } catch (IOException e) {
            return Optional.empty(); // vanished or unreadable: no information, as if absent
        }
    }
}
