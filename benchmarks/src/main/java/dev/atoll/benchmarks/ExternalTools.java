package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outside programs the benchmarks drive (wrk, nginx, redis-benchmark, redis-server, fio): found on
 * the PATH or in {@code /usr/sbin} (where Debian puts nginx), and asked for their version for the
 * report. The harness never installs anything: when a program is missing it says which Debian package
 * brings it and that {@code benchmarks/setup} installs them all.
 */
final class ExternalTools {
    /** The script that installs every program the benchmarks drive. */
    static final String SETUP = "benchmarks/setup";

    /** Where a program may be besides the PATH: Debian's nginx is in /usr/sbin, not on a user's PATH. */
    private static final List<Path> EXTRA_DIRECTORIES = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private ExternalTools() {
    }

    /** Thrown when a program a benchmark needs is not installed; the message says how to install it. */
    static final class MissingProgram extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        MissingProgram(String message) {
            super(message);
        }
    }

    /**
     * The path of every one of {@code programs}, in order.
     *
     * @param packages the Debian packages that bring them, for the message
     * @throws MissingProgram when one is missing, naming it, the packages and {@link #SETUP}
     */
    static List<String> require(List<String> programs, List<String> packages) {
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String program : programs) {
            Optional<Path> path = locate(program, System.getenv().getOrDefault("PATH", ""));
            if (path.isPresent()) {
                found.add(path.get().toString());
            } else {
                missing.add(program);
            }
        }
        if (!missing.isEmpty()) {
            throw new MissingProgram(missingMessage(missing, packages));
        }
        return found;
    }

    /** What a person reads when programs are missing: which, from which packages, and how to install them. */
    static String missingMessage(List<String> missing, List<String> packages) {
        return String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " not installed (Debian package"
                + (packages.size() == 1 ? " " : "s ") + String.join(" ", packages) + "). Install "
                + (missing.size() == 1 ? "it" : "them") + " with " + SETUP + " (everything the benchmarks drive) or,"
                + " as root, apt-get install " + String.join(" ", packages) + "; the benchmarks never install packages"
                + " themselves.";
    }

    /**
     * The executable file {@code program} names: looked up in the directories of {@code path} (a PATH
     * value), then in {@code /usr/sbin} and {@code /sbin}; a name with a slash is taken as it is.
     */
    static Optional<Path> locate(String program, String path) {
        List<Path> directories = new ArrayList<>();
        if (program.contains("/")) {
            Path file = Path.of(program);
            return Files.isExecutable(file) && Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        }
        for (String directory : path.split(":")) {
            if (!directory.isEmpty()) {
                directories.add(Path.of(directory));
            }
        }
        directories.addAll(EXTRA_DIRECTORIES);
        for (Path directory : directories) {
            Path file = directory.resolve(program);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** The first line {@code command} prints (stdout and stderr), e.g. a version; {@code unknown} if none. */
    static String firstLine(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text.lines().findFirst().orElse("unknown").trim();
    }
}
