package dev.atoll.examples;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigReader;
import dev.atoll.config.ConfigSources;
import dev.atoll.config.InvalidConfigException;
import dev.atoll.examples.metrics.MetricsEndpoint;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options every server example accepts ({@code --host}, {@code --port}, {@code --shards},
 * {@code --driver}, {@code --config}, {@code --metrics-port}, {@code --help}), written {@code --opt value} or
 * {@code --opt=value}. They become configuration layers rather than values of their own, so the
 * contract's precedence holds: command-line options over {@code -D} over {@code --config FILE} over
 * {@code application.conf} over {@code reference.conf}. {@code --shards} sets
 * {@code atoll.shards.count}, {@code --driver} sets {@code atoll.driver}, and {@code --host} and
 * {@code --port} set the example's own {@code <example>.host} and {@code <example>.port}.
 */
public final class ServerOptions {
    /** The address a server binds when nothing says otherwise. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final int MAX_SHARDS = 4096;
    private static final Set<String> OPTIONS = Set.of("--host", "--port", "--shards", "--driver", "--config",
            "--metrics-port");
    private static final Set<String> DRIVERS = Set.of("auto", "io_uring", "io-uring", "epoll", "kqueue");

    private final String example;
    private final int defaultPort;
    private final ConfigSources sources;
    private final boolean help;

    private ServerOptions(String example, int defaultPort, ConfigSources sources, boolean help) {
        this.example = example;
        this.defaultPort = defaultPort;
        this.sources = sources;
        this.help = help;
    }

    /**
     * Parses and checks the options of a server example.
     *
     * @param example     the example's name, also the root of its own configuration keys
     * @param defaultPort the port used when neither an option nor the configuration gives one
     * @throws UsageException for an unknown option, a missing value or a value out of its range
     */
    public static ServerOptions parse(String example, int defaultPort, String... args) throws UsageException {
        return parse(example, defaultPort, Map.of(), args);
    }

    /**
     * As {@link #parse(String, int, String...)}, with options of the example's own: each of
     * {@code exampleOptions} ({@code --appendfsync}) sets its configuration key
     * ({@code kv.appendfsync}) at the options' precedence; the key's reader checks the value.
     */
    public static ServerOptions parse(String example, int defaultPort, Map<String, String> exampleOptions,
                                      String... args) throws UsageException {
        ConfigSources sources = ConfigSources.none();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            if (!OPTIONS.contains(name) && !exampleOptions.containsKey(name)) {
                throw new UsageException("unknown option " + name);
            }
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new UsageException(name + " needs a value");
            }
            if (exampleOptions.containsKey(name)) {
                sources = sources.withOption(exampleOptions.get(name), nonEmpty(name, value), name);
                continue;
            }
            sources = switch (name) {
                case "--host" -> sources.withOption(example + ".host", host(value), name);
                case "--port" -> sources.withOption(example + ".port", port(value), name);
                case "--shards" -> sources.withOption("atoll.shards.count", shards(value), name);
                case "--driver" -> sources.withOption("atoll.driver", driver(value), name);
                case "--config" -> sources.withFile(Path.of(nonEmpty(name, value)));
                case "--metrics-port" -> sources.withOption(MetricsEndpoint.PORT_KEY, metricsPort(value), name);
                default -> throw new AssertionError("an option in OPTIONS without a case: " + name);
            };
        }
        return new ServerOptions(example, defaultPort, sources, help);
    }

    private static String host(String value) throws UsageException {
        return nonEmpty("--host", value);
    }

    private static String port(String value) throws UsageException {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return Integer.toString(port);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new UsageException("--port " + value + ": expected a port number from 0 to 65535 (0 = an ephemeral port)");
    }

    private static String metricsPort(String value) throws UsageException {
        try {
            int port = Integer.parseInt(value);
            if (port >= -1 && port <= 65535) {
                return Integer.toString(port);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new UsageException("--metrics-port " + value
                + ": expected a port number from 0 to 65535 (0 = an ephemeral port, -1 = no metrics endpoint)");
    }

    private static String shards(String value) throws UsageException {
        if (value.equalsIgnoreCase("auto")) {
            return "auto";
        }
        try {
            int count = Integer.parseInt(value);
            if (count >= 1 && count <= MAX_SHARDS) {
                return Integer.toString(count);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new UsageException("--shards " + value + ": expected auto or a number from 1 to " + MAX_SHARDS);
    }

    private static String driver(String value) throws UsageException {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!DRIVERS.contains(lower)) {
            throw new UsageException("--driver " + value + ": expected one of auto, io_uring, epoll, kqueue (io-uring accepted too)");
        }
        return lower;
    }

    private static String nonEmpty(String name, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(name + " needs a non-empty value");
        }
        return value;
    }

    /** True when {@code --help} or {@code -h} was given: print {@link #usage} and stop. */
    public boolean helpRequested() {
        return help;
    }

    /** The configuration layers the options stand for. */
    public ConfigSources sources() {
        return sources;
    }

    /**
     * Loads the configuration with these options on top and reads the example's address.
     *
     * @throws InvalidConfigException for a bad setting in any layer, or a missing {@code --config} file
     */
    public ServerSettings load() {
        AtollConfig config = AtollConfig.load(sources);
        ConfigReader reader = config.reader();
        String hostPath = example + ".host";
        String portPath = example + ".port";
        String host = reader.config().hasPath(hostPath) ? reader.nonBlankString(hostPath) : DEFAULT_HOST;
        int port = reader.config().hasPath(portPath) ? reader.intIn(portPath, 0, 65535) : defaultPort;
        return new ServerSettings(example, config, host, port);
    }

    /**
     * What a server example's {@code main} calls first: parses and loads, or prints the problem and
     * the usage to stderr and exits 2 (0 for {@code --help}, with the usage on stdout).
     */
    public static ServerSettings parseOrExit(String example, int defaultPort, String... args) {
        return parseOrExit(example, defaultPort, Map.of(), args);
    }

    /** As {@link #parseOrExit(String, int, String...)}, with the example's own options (see {@link #parse(String, int, Map, String...)}). */
    public static ServerSettings parseOrExit(String example, int defaultPort, Map<String, String> exampleOptions,
                                             String... args) {
        try {
            ServerOptions options = parse(example, defaultPort, exampleOptions, args);
            if (options.helpRequested()) {
                System.out.print(usage(example, defaultPort, exampleOptions));
                System.exit(0);
            }
            return options.load();
        } catch (UsageException | InvalidConfigException e) {
            System.err.println(example + ": " + e.getMessage());
            System.err.print(usage(example, defaultPort, exampleOptions));
            System.exit(2);
            throw new AssertionError("unreachable: System.exit returned");
        }
    }

    /** The usage text of a server example. */
    public static String usage(String example, int defaultPort) {
        return usage(example, defaultPort, Map.of());
    }

    /** The usage text of a server example with options of its own, each shown with its key. */
    public static String usage(String example, int defaultPort, Map<String, String> exampleOptions) {
        StringBuilder own = new StringBuilder();
        exampleOptions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                own.append(String.format("  %-22s  sets %s%n", e.getKey() + " X", e.getValue())));
        return own.isEmpty() ? common(example, defaultPort)
                : common(example, defaultPort) + "Options of " + example + ":\n" + own;
    }

    private static String common(String example, int defaultPort) {
        return """
                Usage: ./atoll run %1$s [options]
                  --host H                address to bind (default %3$s)
                  --port P                port; 0 = one ephemeral port shared by all shards (default %2$d)
                  --shards N|auto         number of shards (default auto)
                  --driver auto|io_uring|epoll|kqueue
                                          I/O driver (io-uring accepted too; default auto)
                  --config FILE           an extra HOCON file
                  --metrics-port P        serve Prometheus metrics at http://H:P/metrics (default off)
                  -Dkey=value             any configuration key, e.g. -Datoll.mesh.queue-capacity=4096
                Precedence: options > -D > --config FILE > application.conf > reference.conf.
                Keys: atoll.* for the runtime, %1$s.host and %1$s.port for this example.
                """.formatted(example, defaultPort, DEFAULT_HOST);
    }
}
