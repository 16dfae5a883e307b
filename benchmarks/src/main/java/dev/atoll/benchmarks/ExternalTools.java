package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The outside programs the benchmarks drive (wrk, redis-benchmark, redis-server): installed from
 * Debian packages when one is missing ({@code apt-get update}, then {@code apt-get install -y}, as
 * root directly and otherwise through {@code sudo}; a failure names the packages to install by hand),
 * and asked for their version for the report.
 */
final class ExternalTools {

    private ExternalTools() {
    }

    /**
     * Makes sure every one of {@code programs} is on the PATH, installing {@code packages} when one is not.
     *
     * @throws IllegalStateException when the installation fails or leaves a program missing
     */
    static void ensure(List<String> programs, List<String> packages) throws IOException, InterruptedException {
        if (allOnPath(programs)) {
            return;
        }
        String install = "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q " + String.join(" ", packages);
        String command = isRoot() ? install : "sudo sh -c '" + install + "'";
        System.out.println(String.join(", ", programs) + " not all installed: " + command + " ...");
        int status = new ProcessBuilder("sh", "-c", command).inheritIO().start().waitFor();
        if (status != 0 || !allOnPath(programs)) {
            throw new IllegalStateException("could not install " + String.join(" ", packages) + " (" + command + " exited "
                    + status + "); install the Debian/Ubuntu packages " + String.join(" ", packages)
                    + " (as root: apt-get install " + String.join(" ", packages) + ") or put "
                    + String.join(", ", programs) + " on the PATH, and run again");
        }
    }

    /** The first line {@code command} prints (stdout and stderr), e.g. a version; {@code unknown} if none. */
    static String firstLine(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text.lines().findFirst().orElse("unknown").trim();
    }

    private static boolean allOnPath(List<String> programs) throws IOException, InterruptedException {
        for (String program : programs) {
            if (new ProcessBuilder("sh", "-c", "command -v " + program).start().waitFor() != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return id.waitFor() == 0 && uid.equals("0");
    }
}
