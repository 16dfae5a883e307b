package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The machine a benchmark ran on, as its raw results keep it: CPU model, online CPUs, memory, kernel,
 * operating system, JDK, and the load average just before the run (on a shared machine the other work
 * is part of the conditions). Read from {@code /proc} and {@code /etc/os-release}; a figure that cannot
 * be read is {@code unknown}.
 *
 * @param cpuModel      {@code model name} of {@code /proc/cpuinfo}
 * @param onlineCpus    the {@code processor} entries of {@code /proc/cpuinfo}
 * @param memory        {@code MemTotal} of {@code /proc/meminfo}, e.g. {@code 24 GiB}
 * @param kernel        the kernel release
 * @param os            {@code PRETTY_NAME} of {@code /etc/os-release}
 * @param jdk           vendor and full version of the JVM running the harness (and the servers)
 * @param loadBefore    the 1, 5 and 15 minute load averages when the run started
 */
public record Machine(String cpuModel, int onlineCpus, String memory, String kernel, String os, String jdk,
                      String loadBefore) {
    private static final String UNKNOWN = "unknown";

    /** This machine now. */
    public static Machine current() {
        String cpuinfo = read("/proc/cpuinfo").orElse("");
        return new Machine(cpuModel(cpuinfo), processors(cpuinfo),
                memory(read("/proc/meminfo").orElse("")),
                BenchReport.Environment.current().kernel(),
                prettyName(read("/etc/os-release").orElse("")),
                System.getProperty("java.vendor", UNKNOWN) + " " + System.getProperty("java.runtime.version", UNKNOWN),
                BenchReport.loadAverage());
    }

    /** The first {@code model name} of a {@code /proc/cpuinfo} text. */
    static String cpuModel(String cpuinfo) {
        return field(cpuinfo, "model name", ':').orElse(UNKNOWN);
    }

    /** The number of {@code processor} entries of a {@code /proc/cpuinfo} text. */
    static int processors(String cpuinfo) {
        return (int) cpuinfo.lines().filter(l -> l.startsWith("processor") && l.contains(":")).count();
    }

    /** {@code MemTotal: 24624372 kB} as {@code 23.5 GiB}. */
    static String memory(String meminfo) {
        return field(meminfo, "MemTotal", ':').map(value -> {
            String[] parts = value.split("\\s+");
            try {
                return String.format("%.1f GiB", Long.parseLong(parts[0]) / (1024.0 * 1024.0));
            } catch (NumberFormatException e) {
                return value;
            }
        }).orElse(UNKNOWN);
    }

    /** {@code PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"} without its quotes. */
    static String prettyName(String osRelease) {
        return field(osRelease, "PRETTY_NAME", '=').map(v -> v.replaceAll("^\"|\"$", "")).orElse(UNKNOWN);
    }

    private static Optional<String> field(String text, String key, char separator) {
        return text.lines()
                .filter(l -> l.startsWith(key) && l.indexOf(separator) > 0
                        && l.substring(0, l.indexOf(separator)).trim().equals(key))
                .map(l -> l.substring(l.indexOf(separator) + 1).trim())
                .findFirst();
    }

    private static Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(Path.of(file)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
