package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The file I/O reference: the Debian package {@code fio} ({@code benchmarks/setup} installs it), running random reads
 * with {@code --ioengine=io_uring} configured for speed as its authors do (registered file, fixed
 * buffers, no random map), its JSON output parsed for the IOPS.
 */
final class Fio {
    private final String executable;

    Fio(String executable) {
        this.executable = executable;
    }

    /** fio, or {@link ExternalTools.MissingProgram} saying how to install it. */
    static Fio find() {
        return new Fio(ExternalTools.require(List.of("fio"), List.of("fio")).getFirst());
    }

    /** The version fio reports, e.g. {@code fio-3.33}. */
    String version() throws IOException, InterruptedException {
        return ExternalTools.firstLine(executable, "--version");
    }

    /**
     * The arguments of one random-read run: {@code jobs} processes with {@code queueDepth} reads of
     * {@code blockSize} bytes in flight each, for {@code seconds}. The page cache is never dropped
     * ({@code --invalidate=0}): a buffered run measures the I/O path over a warm cache, and a direct
     * run ignores the cache anyway, so the runs of one benchmark cannot spoil each other.
     */
    List<String> randomReadCommand(Path file, int blockSize, int queueDepth, int jobs, boolean direct, int seconds) {
        return List.of(executable, "--name=atoll-bench", "--filename=" + file, "--readonly",
                "--ioengine=io_uring", "--fixedbufs", "--registerfiles",
                "--rw=randread", "--bs=" + blockSize, "--norandommap", "--randrepeat=0",
                "--iodepth=" + queueDepth, "--numjobs=" + jobs, "--direct=" + (direct ? 1 : 0), "--invalidate=0",
                "--time_based", "--runtime=" + seconds, "--group_reporting", "--output-format=json");
    }

    /** Runs {@link #randomReadCommand} and returns the read operations per second of all jobs together. */
    double randomReads(Path file, int blockSize, int queueDepth, int jobs, boolean direct, int seconds)
            throws IOException, InterruptedException {
        List<String> command = randomReadCommand(file, blockSize, queueDepth, jobs, direct, seconds);
        Path errors = Files.createTempFile("atoll-bench-fio-", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("fio failed (" + String.join(" ", command) + "):\n"
                        + Files.readString(errors) + output);
            }
            return readIops(output);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /**
     * The read IOPS of every job in fio's {@code --output-format=json} output, summed (one entry with
     * {@code --group_reporting}). Text fio prints before the JSON (warnings) is skipped.
     *
     * @throws IllegalStateException when the output is not fio's JSON, or a job reports an error
     */
    @SuppressWarnings("unchecked")
    static double readIops(String output) {
        int start = output.indexOf('{');
        if (start < 0) {
            throw new IllegalStateException("no JSON in fio's output:\n" + output);
        }
        Object parsed = Json.parse(output.substring(start));
        if (!(parsed instanceof Map<?, ?> root) || !(root.get("jobs") instanceof List<?> jobs) || jobs.isEmpty()) {
            throw new IllegalStateException("fio's JSON has no jobs:\n" + output);
        }
        double iops = 0;
        for (Object job : jobs) {
            Map<String, Object> fields = (Map<String, Object>) job;
            if (!(fields.get("error") instanceof Double error) || error != 0) {
                throw new IllegalStateException("fio job " + fields.get("jobname") + " failed with error "
                        + fields.get("error"));
            }
            if (!(fields.get("read") instanceof Map<?, ?> read) || !(read.get("iops") instanceof Double jobIops)) {
                throw new IllegalStateException("fio job " + fields.get("jobname") + " has no read.iops");
            }
            iops += jobIops;
        }
        return iops;
    }
}
