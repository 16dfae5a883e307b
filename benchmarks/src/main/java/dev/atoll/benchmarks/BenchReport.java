package dev.atoll.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The results of one benchmark run, as the JSON of the contract ({@code --json FILE}) and as the
 * readable table printed to the terminal, which hold the same figures. Every ratio is oriented so
 * that above 1 means Atoll is better. Beyond the contract's fields, a run's JSON may carry the
 * {@link Machine} it ran on ({@code "machine"}) and the {@link PeerCheck sanity checks} of its peers
 * ({@code "checks"}). A full run also keeps its raw JSON under {@code docs/results/}. The JSON is written by hand: the format is small and fixed,
 * and the benchmarks should not carry a JSON library into the class path they measure.
 */
public final class BenchReport {

    /** Which direction of a result is good. */
    public enum Better {
        HIGHER, LOWER;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Where the run happened.
     *
     * @param jdk    the JDK version, e.g. {@code 25.0.3}
     * @param kernel the kernel release, e.g. {@code 6.1.0-31-amd64}
     * @param cpus   the processors the JVM may use
     */
    public record Environment(String jdk, String kernel, int cpus) {

        /** This JVM on this machine. */
        public static Environment current() {
            String jdk = Runtime.version().version().stream().map(String::valueOf).collect(Collectors.joining("."));
            return new Environment(jdk, kernelRelease(), Runtime.getRuntime().availableProcessors());
        }

        private static String kernelRelease() {
            Path release = Path.of("/proc/sys/kernel/osrelease");
            if (Files.isReadable(release)) {
                try {
                    return Files.readString(release).trim();
                } catch (IOException e) {
                    // fall back to what the JVM was told at start-up
                }
            }
            return System.getProperty("os.version", "unknown");
        }
    }

    /** One measured figure of one implementation. */
    public record Result(String name, String impl, double value, String unit, Better better) { }

    /**
     * Atoll against a peer: above 1 means Atoll is better.
     *
     * @param goal the value the project aims for; {@link #met} says whether this run reached it
     */
    public record Ratio(String name, double value, double goal) {
        /** True when the ratio reached its goal; a ratio that could not be computed never does. */
        public boolean met() {
            return Double.isFinite(value) && value >= goal;
        }

        /** False for a ratio shown for information, whose goal is NaN: neither met nor missed. */
        public boolean hasGoal() {
            return !Double.isNaN(goal);
        }
    }

    private final String bench;
    private final String command;
    private final Environment environment;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<Result> results = new ArrayList<>();
    private final List<Ratio> ratios = new ArrayList<>();
    private final List<PeerCheck> checks = new ArrayList<>();
    private Machine machine;

    /**
     * @param bench       the benchmark's name
     * @param command     the command that reproduces the run
     * @param environment where the run happened
     */
    public BenchReport(String bench, String command, Environment environment) {
        this.bench = bench;
        this.command = command;
        this.environment = environment;
    }

    /** A report for this run, on this machine. */
    public static BenchReport forRun(BenchArgs args) {
        return new BenchReport(args.name(), args.command(), Environment.current()).machine(Machine.current());
    }

    /** Records the machine of the run (read before the run starts: it holds the load average before it). */
    public BenchReport machine(Machine machine) {
        this.machine = machine;
        return this;
    }

    /** Records a sanity check of a peer; returns it. */
    public PeerCheck check(PeerCheck check) {
        checks.add(check);
        return check;
    }

    /** The checks that did not pass: a comparison with their peers does not count. */
    public List<PeerCheck> failedChecks() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** Records a setting of the run (in the order given); the value is a number, a string or a boolean. */
    public BenchReport setting(String name, Object value) {
        if (!(value instanceof Number || value instanceof String || value instanceof Boolean)) {
            throw new IllegalArgumentException("setting " + name + " must be a number, a string or a boolean, not " + value);
        }
        settings.put(name, value);
        return this;
    }

    /** Records a measured figure. */
    public BenchReport result(String name, String impl, double value, String unit, Better better) {
        results.add(new Result(name, impl, value, unit, better));
        return this;
    }

    /**
     * The first three fields of {@code /proc/loadavg} (1, 5 and 15 minutes), or {@code unknown}: other
     * work on the machine during a run is part of its conditions.
     */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The median of rounds (the upper one of an even count). */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Records a ratio for a figure where higher is better (a throughput): Atoll / peer. */
    public Ratio ratioHigherIsBetter(String name, double atollValue, double peerValue, double goal) {
        return ratio(name, atollValue / peerValue, goal);
    }

    /** Records a ratio for a figure where lower is better (a latency): peer / Atoll. */
    public Ratio ratioLowerIsBetter(String name, double atollValue, double peerValue, double goal) {
        return ratio(name, peerValue / atollValue, goal);
    }

    /**
     * Records the median of the rounds' own ratios, oriented by {@code better} (Atoll / peer when higher is better,
     * peer / Atoll when lower is): for comparisons that alternate the servers, so that each round's two runs, back to
     * back, meet the same conditions of a shared machine, where the ratio of the two medians may set one server's
     * quiet round against the other's disturbed one.
     */
    public Ratio pairedRatio(String name, double[] atollRounds, double[] peerRounds, Better better, double goal) {
        if (atollRounds.length != peerRounds.length) {
            throw new IllegalArgumentException(name + ": " + atollRounds.length + " rounds of Atoll against "
                    + peerRounds.length + " of the peer");
        }
        double[] ratios = new double[atollRounds.length];
        for (int round = 0; round < ratios.length; round++) {
            ratios[round] = better == Better.HIGHER ? atollRounds[round] / peerRounds[round]
                    : peerRounds[round] / atollRounds[round];
        }
        return ratio(name, median(ratios), goal);
    }

    private Ratio ratio(String name, double value, double goal) {
        Ratio ratio = new Ratio(name, value, goal);
        ratios.add(ratio);
        return ratio;
    }

    /**
     * Prints the table to stdout and, when the run was given {@code --json FILE}, writes the JSON
     * there. A missed goal is not a failure: it shows as {@code missed} and {@code "met": false}.
     */
    public void publish(BenchArgs args) throws IOException {
        publish(args, System.out, args.quick() ? Optional.empty() : resultsDirectory(), ZonedDateTime.now(ZoneOffset.UTC));
    }

    /**
     * Prints the table, writes {@code --json FILE} when asked, and keeps the raw JSON as
     * {@code BENCH-yyyyMMdd-HHmmss.json} (UTC) in {@code results} when given (every full run).
     */
    void publish(BenchArgs args, PrintStream terminal, Optional<Path> results, ZonedDateTime now) throws IOException {
        terminal.print(toTable());
        String json = toJson();
        if (args.json().isPresent()) {
            write(args.json().get(), json);
        }
        if (results.isPresent()) {
            Path file = results.get().resolve(resultFileName(bench, now));
            write(file, json);
            terminal.println("raw results kept in " + file);
        }
        terminal.flush();
    }

    /** {@code http-20261204-181500.json}: the benchmark and the UTC time of the run. */
    static String resultFileName(String bench, ZonedDateTime now) {
        return bench + "-" + now.withZoneSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".json";
    }

    /**
     * {@code docs/results} of the checkout the harness runs from: found by walking up from its classes
     * ({@code benchmarks/target/classes}) to the directory holding the {@code atoll} launcher and
     * {@code docs}; none outside a checkout.
     */
    static Optional<Path> resultsDirectory() {
        try {
            Path classes = Path.of(BenchReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return resultsDirectoryAbove(classes);
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code docs/results} of the first directory at or above {@code start} that holds {@code atoll} and {@code docs}. */
    static Optional<Path> resultsDirectoryAbove(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("atoll")) && Files.isDirectory(dir.resolve("docs"))) {
                return Optional.of(dir.resolve("docs").resolve("results"));
            }
        }
        return Optional.empty();
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text);
    }

    /** The JSON of the contract, laid out as it shows it. */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\n");
        out.append("  \"bench\": ").append(string(bench)).append(",\n");
        out.append("  \"command\": ").append(string(command)).append(",\n");
        out.append("  \"jdk\": ").append(string(environment.jdk()))
                .append(", \"kernel\": ").append(string(environment.kernel()))
                .append(", \"cpus\": ").append(environment.cpus()).append(",\n");
        if (machine != null) {
            out.append("  \"machine\": { \"cpu_model\": ").append(string(machine.cpuModel()))
                    .append(", \"online_cpus\": ").append(machine.onlineCpus())
                    .append(", \"memory\": ").append(string(machine.memory()))
                    .append(", \"kernel\": ").append(string(machine.kernel()))
                    .append(", \"os\": ").append(string(machine.os()))
                    .append(", \"jdk\": ").append(string(machine.jdk()))
                    .append(", \"loadavg_before\": ").append(string(machine.loadBefore())).append(" },\n");
        }
        out.append("  \"settings\": {").append(settings.entrySet().stream()
                .map(e -> " " + string(e.getKey()) + ": " + value(e.getValue()))
                .collect(Collectors.joining(","))).append(settings.isEmpty() ? "},\n" : " },\n");
        out.append("  \"results\": ").append(array(results.stream().map(r -> "{ \"name\": " + string(r.name())
                + ", \"impl\": " + string(r.impl()) + ", \"value\": " + number(r.value())
                + ", \"unit\": " + string(r.unit()) + ", \"better\": " + string(r.better().word()) + " }").toList()))
                .append(",\n");
        out.append("  \"ratios\": ").append(array(ratios.stream().map(r -> "{ \"name\": " + string(r.name())
                + ", \"value\": " + number(r.value()) + ", \"goal\": " + number(r.goal())
                + ", \"met\": " + (r.hasGoal() ? r.met() : "null") + " }").toList()));
        if (!checks.isEmpty()) {
            out.append(",\n  \"checks\": ").append(array(checks.stream().map(c -> "{ \"name\": " + string(c.name())
                    + ", \"peer\": " + string(c.peer()) + ", \"reference\": " + string(c.reference())
                    + ", \"peer_value\": " + number(c.peerValue()) + ", \"reference_value\": " + number(c.referenceValue())
                    + ", \"better\": " + string(c.better().word())
                    + ", \"ratio\": " + number(c.ratio()) + ", \"minimum\": " + number(c.minimum())
                    + ", \"passed\": " + c.passed() + ", \"why\": " + string(c.why()) + " }").toList()));
        }
        out.append("\n}\n");
        return out.toString();
    }

    private static String array(List<String> elements) {
        if (elements.isEmpty()) {
            return "[]";
        }
        return elements.stream().map(e -> "    " + e).collect(Collectors.joining(",\n", "[\n", "\n  ]"));
    }

    private static String value(Object value) {
        return switch (value) {
            case String s -> string(s);
            case Boolean b -> b.toString();
            case Double d -> number(d);
            case Float f -> number(f.doubleValue());
            case BigDecimal d -> d.toString();
            case BigInteger i -> i.toString();
            case Number n -> Long.toString(n.longValue());
            default -> throw new IllegalStateException("unexpected setting value " + value);
        };
    }

    /**
     * The shortest decimal that reads back as the same double ({@code 123456.0}, {@code 1.12});
     * JSON has no NaN or infinity, so a figure that could not be computed is {@code null}.
     */
    static String number(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "null";
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    static String string(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The readable table: settings, then results, then ratios with met or missed. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append(bench).append(" (").append(command).append(")\n");
        out.append("jdk ").append(environment.jdk()).append(", kernel ").append(environment.kernel())
                .append(", ").append(environment.cpus()).append(" cpus\n");
        if (machine != null) {
            out.append(machine.cpuModel()).append(", ").append(machine.onlineCpus()).append(" online CPUs, ")
                    .append(machine.memory()).append(", ").append(machine.os()).append(", ").append(machine.jdk())
                    .append("; load average before the run ").append(machine.loadBefore()).append('\n');
        }
        out.append("\nsettings\n");
        out.append(settingsTable());
        out.append("\nresults\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("name", "impl", "value", "unit", "better"));
        results.forEach(r -> rows.add(List.of(r.name(), r.impl(), number(r.value()), r.unit(), r.better().word())));
        out.append(columns(rows));
        out.append("\nratios (above 1 = Atoll better)\n");
        rows.clear();
        rows.add(List.of("name", "value", "goal", ""));
        ratios.forEach(r -> rows.add(List.of(r.name(), number(r.value()), number(r.goal()), !r.hasGoal() ? "" : r.met() ? "met" : "missed")));
        out.append(columns(rows));
        if (!checks.isEmpty()) {
            out.append("\npeer checks (against a reference measured in this run, above 1 = the peer does better;"
                    + " a failed check voids the comparisons with that peer)\n");
            rows.clear();
            rows.add(List.of("peer", "reference", "figure", "ratio", "minimum", ""));
            checks.forEach(c -> rows.add(List.of(c.peer(), c.reference(), c.name(), String.format(Locale.ROOT, "%.3f", c.ratio()),
                    number(c.minimum()), c.passed() ? "passed" : "FAILED")));
            out.append(columns(rows));
        }
        return out.toString();
    }

    /** The settings recorded so far, one a line, as the table shows them (printed before a long run). */
    public String settingsTable() {
        List<List<String>> rows = new ArrayList<>();
        settings.forEach((name, value) -> rows.add(List.of(name, value instanceof String s ? s : value(value))));
        return columns(rows);
    }

    private static String columns(List<List<String>> rows) {
        int[] widths = new int[rows.stream().mapToInt(List::size).max().orElse(0)];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                line.append(String.format("%-" + Math.max(1, widths[i]) + "s", row.get(i))).append("  "); // %-0s is invalid
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
