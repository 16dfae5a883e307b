package dev.atoll.benchmarks;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The parsed command line of {@code ./atoll bench NAME [--json FILE] [--quick]}.
 *
 * @param name  the benchmark's name
 * @param json  where to write the JSON results, if asked
 * @param quick run the short version (under a minute) for smoke tests
 */
public record BenchArgs(String name, Optional<Path> json, boolean quick) {

    /**
     * Parses the arguments that follow the name; both {@code --json FILE} and {@code --json=FILE}.
     *
     * @throws IllegalArgumentException for an unknown option or a missing file name
     */
    public static BenchArgs parse(String name, String... args) {
        Optional<Path> json = Optional.empty();
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.startsWith("--json=") && arg.length() > "--json=".length()) {
                json = Optional.of(Path.of(arg.substring("--json=".length())));
            } else if (arg.equals("--json") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                json = Optional.of(Path.of(args[++i]));
            } else if (arg.equals("--json") || arg.equals("--json=")) {
                throw new IllegalArgumentException("--json needs a file name");
            } else {
                throw new IllegalArgumentException("unknown option " + arg + " (expected --json FILE or --quick)");
            }
        }
        return new BenchArgs(name, json, quick);
    }

    /** The command as a person would type it again, for the report: {@code ./atoll bench http --quick}. */
    public String command() {
        return "./atoll bench " + name + (quick ? " --quick" : "");
    }
}
