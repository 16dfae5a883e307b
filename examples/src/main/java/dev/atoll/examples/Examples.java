package dev.atoll.examples;

import dev.atoll.drivers.DriverUnavailableException;
import dev.atoll.examples.http.HttpServer;
import dev.atoll.examples.kv.KvServer;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The entry point of {@code ./atoll run}: lists the examples, or runs the one named by the first
 * argument with the arguments that follow it. To add an example, add one line to {@link #ALL}.
 */
public final class Examples {

    /** Every example, in the order the list shows them. */
    static final List<Example> ALL = List.of(
            new Example("kv", "a Redis-compatible key-value server, sharded by key, with an append-only log per shard"
                    + " (port 6379; try redis-cli -p 6379)", KvServer::main),
            new Example("hello", "starts the shards, sends messages around all of them, prints what happened and how fast",
                    Hello::main),
            new Example("echo", "a TCP echo server (port 7000)", Echo::main),
            new Example("http", "an HTTP/1.1 server with keep-alive and pipelining: /plaintext and /json (port 8080)",
                    HttpServer::main),
            new Example("actors", "spawns actors across shards: ask, cross-shard ping-pong, supervision restarts,"
                    + " death watch, a sharded store, per-shard counters", ActorsDemo::main));

    private Examples() { }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.out.print(list());
            return;
        }
        Optional<Example> example = find(args[0]);
        if (example.isEmpty()) {
            System.err.println("No example named '" + args[0] + "'.");
            System.err.print(list());
            System.exit(2);
        }
        try {
            example.get().main().run(Arrays.copyOfRange(args, 1, args.length));
        } catch (DriverUnavailableException e) {
            // A start-up error the user can act on: say it plainly, without a stack trace.
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(1);
        }
    }

    static Optional<Example> find(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The list as {@code ./atoll run} prints it: name and description, aligned. */
    static String list() {
        int width = ALL.stream().mapToInt(e -> e.name().length()).max().orElse(0);
        StringBuilder out = new StringBuilder("Examples (./atoll run NAME [options]):\n");
        for (Example e : ALL) {
            out.append("  ").append(String.format("%-" + width + "s", e.name())).append("  ")
                    .append(e.description()).append('\n');
        }
        return out.toString();
    }
}
