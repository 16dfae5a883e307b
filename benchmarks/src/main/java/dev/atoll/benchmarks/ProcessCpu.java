package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a process has used, from Linux's {@code /proc/PID/stat}: user and system time of all
 * its threads ({@code utime}, {@code stime}) plus those of the children it has waited for
 * ({@code cutime}, {@code cstime}: redis-server rewrites its log in a forked child). The kernel counts
 * in clock ticks; {@code getconf CLK_TCK} says how many make a second.
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
     * utime + stime + cutime + cstime of a {@code /proc/PID/stat} line (fields 14 to 17). The second
     * field, the command name in parentheses, may itself hold spaces and parentheses: the fields are
     * counted from the last {@code ')'}.
     */
    static long ticks(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        // after ")": field 3 (state) is at index 0, so field n is at index n - 3
        String[] fields = stat.substring(end + 1).trim().split("\\s+");
        if (fields.length < 15) {
            throw new IllegalArgumentException("a /proc/PID/stat line with too few fields: " + stat);
        }
        long ticks = 0;
        for (int field = 14; field <= 17; field++) {
            ticks += Long.parseLong(fields[field - 3]);
        }
        return ticks;
    }
}
