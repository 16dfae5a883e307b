package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPUs this process may run on, from the {@code Cpus_allowed_list} of Linux's
 * {@code /proc/self/status} ({@code 0-3,8,10-11}): where a benchmark can place its processes with
 * {@code taskset}.
 */
final class CpuList {

    private CpuList() {
    }

    /** The CPUs this process may run on, in increasing order. */
    static List<Integer> allowed() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return parse(line.substring("Cpus_allowed_list:".length()));
            }
        }
        throw new IllegalStateException("/proc/self/status has no Cpus_allowed_list line");
    }

    /** The CPUs of a list such as {@code 0-3,8,10-11}. */
    static List<Integer> parse(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            int dash = part.indexOf('-');
            try {
                int first = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1));
                if (first < 0 || last < first) {
                    throw new IllegalArgumentException("not a CPU range: '" + part + "' in '" + list.trim() + "'");
                }
                for (int cpu = first; cpu <= last; cpu++) {
                    cpus.add(cpu);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CPU list: '" + list.trim() + "'", e);
            }
        }
        return cpus;
    }
}
