package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Installs the Debian packages a benchmark runs (wrk, fio) when their program is missing: {@code apt-get
 * update} first (a fresh machine has empty package lists), as root directly, otherwise through
 * {@code sudo}. The test suite never calls it.
 */
final class DebianPackages {

    private DebianPackages() {
    }

    /**
     * Makes sure {@code program} is on the PATH, installing {@code debianPackage} when it is not.
     *
     * @throws IllegalStateException when the installation fails, saying what to install by hand
     */
    static void ensure(String program, String debianPackage) throws IOException, InterruptedException {
        if (onPath(program)) {
            return;
        }
        String sudo = isRoot() ? "" : "sudo ";
        String install = sudo + "apt-get update -q && " + sudo
                + "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q " + debianPackage;
        System.out.println(program + " is not installed: " + install + " ...");
        int status = new ProcessBuilder("sh", "-c", install).inheritIO().start().waitFor();
        if (status != 0 || !onPath(program)) {
            throw new IllegalStateException("could not install " + program + " (apt-get exited " + status
                    + "); install the Debian/Ubuntu package " + debianPackage + " (apt-get install " + debianPackage
                    + ") or put " + program + " on the PATH, and run again");
        }
    }

    private static boolean onPath(String program) throws IOException, InterruptedException {
        return new ProcessBuilder("sh", "-c", "command -v " + program).start().waitFor() == 0;
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        return id.waitFor() == 0 && uid.equals("0");
    }
}
