package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP load generator: the Debian package {@code wrk} ({@code benchmarks/setup} installs it), run with
 * {@code --latency} and the request headers of TechEmpower's plaintext test, optionally with
 * pipelining through a Lua script like TechEmpower's {@code pipeline.lua}.
 */
public final class Wrk {
    /** The headers TechEmpower's plaintext and JSON tests send. */
    static final List<String> HEADERS = List.of(
            "Host: localhost",
            "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7",
            "Connection: keep-alive");

    private static final String PIPELINE_LUA = """
            -- TechEmpower's pipeline.lua: each write carries `depth` requests.
            init = function(args)
              local r = {}
              local depth = tonumber(args[1]) or 1
              for i = 1, depth do
                r[i] = wrk.format()
              end
              req = table.concat(r)
            end
            request = function()
              return req
            end
            """;

    private final String executable;
    private final Path pipelineScript;

    Wrk(String executable, Path pipelineScript) {
        this.executable = executable;
        this.pipelineScript = pipelineScript;
    }

    /** What one run measured. */
    /**
     * What one run measured.
     *
     * @param requests all responses wrk counted ({@code N requests in 7.00s}): with a server's CPU time
     *                 over the run, its CPU per request
     */
    public record Result(double requestsPerSecond, double p99Millis, long non2xx, long socketErrors, long requests) { }

    /** wrk, or {@link ExternalTools.MissingProgram} saying how to install it. */
    public static Wrk find() throws IOException {
        String executable = ExternalTools.require(List.of("wrk"), List.of("wrk")).getFirst();
        Path script = Files.createTempFile("atoll-wrk-pipeline-", ".lua");
        script.toFile().deleteOnExit();
        Files.writeString(script, PIPELINE_LUA);
        return new Wrk(executable, script);
    }

    /** The wrk version line, for the report. */
    public String version() throws IOException, InterruptedException {
        return ExternalTools.firstLine(executable, "--version");
    }

    /**
     * Runs wrk against {@code url}.
     *
     * @param prefix what goes before wrk's command: {@code taskset -c CPU} to confine it, or nothing
     * @param depth  requests per write: 1 without pipelining
     */
    public Result run(List<String> prefix, String url, int threads, int connections, int seconds, int depth)
            throws IOException, InterruptedException {
        List<String> command = command(prefix, url, threads, connections, seconds, depth);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed (" + String.join(" ", command) + "):\n" + output);
        }
        return parse(output);
    }

    /** The command line of {@link #run}. */
    List<String> command(List<String> prefix, String url, int threads, int connections, int seconds, int depth) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(executable, "-t", Integer.toString(threads),
                "-c", Integer.toString(connections), "-d", seconds + "s", "--latency"));
        for (String header : HEADERS) {
            command.add("-H");
            command.add(header);
        }
        if (depth > 1) {
            command.addAll(List.of("-s", pipelineScript.toString()));
        }
        command.add(url);
        if (depth > 1) {
            command.addAll(List.of("--", Integer.toString(depth)));
        }
        return command;
    }

    private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("^\\s*99%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /** The figures of wrk's output (with {@code --latency}). */
    static Result parse(String output) {
        Matcher requests = REQUESTS.matcher(output);
        Matcher p99 = P99.matcher(output);
        Matcher total = TOTAL.matcher(output);
        if (!requests.find() || !p99.find() || !total.find()) {
            throw new IllegalStateException("unexpected wrk output (no Requests/sec, requests-in or 99% line):\n" + output);
        }
        double scale = switch (p99.group(2).toLowerCase(Locale.ROOT)) {
            case "us" -> 1e-3;
            case "ms" -> 1;
            default -> 1e3;
        };
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher errors = SOCKET_ERRORS.matcher(output);
        long socketErrors = 0;
        if (errors.find()) {
            for (int i = 1; i <= 4; i++) {
                socketErrors += Long.parseLong(errors.group(i));
            }
        }
        return new Result(Double.parseDouble(requests.group(1)), Double.parseDouble(p99.group(1)) * scale,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors, Long.parseLong(total.group(1)));
    }
}
