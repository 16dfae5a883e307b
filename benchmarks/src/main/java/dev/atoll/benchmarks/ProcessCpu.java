package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time a process has used, from Linux's {@code /proc/PID/stat}: user and system time of all
 * its threads ({@code utime}, {@code stime}) plus those of the children it has waited for
 * ({@code cutime}, {@code cstime}: redis-server rewrites its log in a forked child). The kernel counts
 * in clock ticks; {@code getconf CLK_TCK} says how many make a second. Also the time its threads
 * waited for a CPU ({@code schedstat}).
 */
final class ProcessCpu {
    private final double ticksPerSecond;

    private ProcessCpu(double ticksPerSecond) {
        this.ticksPerSecond = ticksPerSecond;
    }

    /** A reader for this machine, its tick rate asked of {@code getconf CLK_TCK}. */
    static ProcessCpu forThisMachine() throws IOException, InterruptedException {
        String ticks = ExternalTools.firstLine("getconf", "CLK_TCK");
        try {
            return new ProcessCpu(Long.parseLong(ticks));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("getconf CLK_TCK printed '" + ticks + "', not a number of ticks per second", e);
        }
    }

    /** The CPU seconds process {@code pid} has used so far, its threads and waited-for children included. */
    double seconds(long pid) throws IOException {
        return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / ticksPerSecond;
    }

    /**
     * The CPU seconds of process {@code pid} and of every process below it that is still running: nginx's
     * workers are children of its master, and their time reaches the master's {@code cutime} only when
     * they exit. Processes are found through their parent ids in {@code /proc/N/stat}.
     */
    double treeSeconds(long pid) throws IOException {
        long total = 0;
        for (String stat : tree(pid).values()) {
            total += ticks(stat);
        }
        return total / ticksPerSecond;
    }

    /**
     * The seconds the threads of process {@code pid} and of the running processes below it spent
     * runnable but waiting for a CPU (the second field of {@code /proc/PID/task/TID/schedstat}), or NaN
     * where the kernel keeps no schedstat. Threads that ended in between are not counted. On a shared
     * machine this is the delay other people's work puts on a server, which no server can remove: the
     * evidence beside a p99.
     */
    double treeRunQueueSeconds(long pid) throws IOException {
        long nanos = 0;
        for (long process : tree(pid).keySet()) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process), "task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    String schedstat;
                    try {
                        schedstat = Files.readString(task.resolve("schedstat"));
                    } catch (NoSuchFileException e) {
                        if (Files.exists(task)) {
                            return Double.NaN;  // a kernel without schedstat
                        }
                        continue;               // the thread ended while the list was read
                    }
                    nanos += runQueueNanos(schedstat);
                }
            } catch (NoSuchFileException e) {
                // the process ended while the tree was read
            }
        }
        return nanos / 1e9;
    }

    /** The time waited on a run queue, in nanoseconds, of a {@code /proc/PID/task/TID/schedstat} line ("run wait slices"). */
    static long runQueueNanos(String schedstat) {
        String[] fields = schedstat.trim().split("\\s+");
        if (fields.length != 3) {
            throw new IllegalArgumentException("not a schedstat line: " + schedstat);
        }
        return Long.parseLong(fields[1]);
    }

    /** The {@code /proc/N/stat} line of {@code pid} and of every running process below it, by process id. */
    private static Map<Long, String> tree(long pid) throws IOException {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, String> stats = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;   // the process ended while the list was read
                }
                long id = Long.parseLong(name);
                stats.put(id, stat);
                children.computeIfAbsent(parentPid(stat), k -> new ArrayList<>()).add(id);
            }
        }
        Map<Long, String> tree = new HashMap<>();
        List<Long> pending = new ArrayList<>(List.of(pid));
        while (!pending.isEmpty()) {
            long next = pending.removeLast();
            String stat = stats.get(next);
            if (stat != null) {
                tree.put(next, stat);
            }
            pending.addAll(children.getOrDefault(next, List.of()));
        }
        return tree;
    }

    /** The parent's process id in a {@code /proc/PID/stat} line (field 4). */
    static long parentPid(String stat) {
        return Long.parseLong(fields(stat)[4 - 3]);
    }

    private static String[] fields(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        // after ")": field 3 (state) is at index 0, so field n is at index n - 3
        String[] fields = stat.substring(end + 1).trim().split("\\s+");
        if (fields.length < 15) {
            throw new IllegalArgumentException("a /proc/PID/stat line with too few fields: " + stat);
        }
        return fields;
    }

    /**
     * utime + stime + cutime + cstime of a {@code /proc/PID/stat} line (fields 14 to 17). The second
     * field, the command name in parentheses, may itself hold spaces and parentheses: the fields are
     * counted from the last {@code ')'}.
     */
    static long ticks(String stat) {
        String[] fields = fields(stat);
        long ticks = 0;
        for (int field = 14; field <= 17; field++) {
            ticks += Long.parseLong(fields[field - 3]);
        }
        return ticks;
    }
}
