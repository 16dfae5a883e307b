package dev.atoll.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer of {@code ./atoll bench kv}: {@code redis-server} (Debian) as a {@link ServerProcess} in
 * the foreground, on a free loopback port, with its files in a directory of its own, no RDB
 * snapshots ({@code --save ''}) and the persistence and threading settings the caller gives.
 * Waited for through its log line {@code Ready to accept connections}.
 */
final class RedisServer {
    private static final Pattern VERSION = Pattern.compile("v=([0-9][0-9.]*)");

    private RedisServer() {
    }

    /** The version of the installed redis-server, e.g. {@code 7.0.15}. */
    static String version() throws IOException, InterruptedException {
        String line = ExternalTools.firstLine("redis-server", "--version");
        Matcher version = VERSION.matcher(line);
        if (!version.find()) {
            throw new IllegalStateException("redis-server --version printed no version: " + line);
        }
        return version.group(1);
    }

    /**
     * Starts redis-server.
     *
     * @param prefix   what runs it, e.g. {@code taskset -c 1}; empty for nothing
     * @param settings further {@code --name value} arguments, e.g. {@code --appendonly yes}
     * @param dir      its working directory (the append-only files)
     */
    static ServerProcess start(String impl, List<String> prefix, List<String> settings, Path dir)
            throws IOException, ServerProcess.StartFailure {
        String host = "127.0.0.1";
        int port = freePort();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("redis-server", "--bind", host, "--port", Integer.toString(port), "--daemonize", "no",
                "--dir", dir.toString(), "--save", ""));
        command.addAll(settings);
        Map<String, String> ready = Map.of("example", "redis-server", "host", host, "port", Integer.toString(port),
                "driver", "epoll", "shards", "1");
        return ServerProcess.start(impl, command, line -> line.contains("Ready to accept connections") ? ready : null);
    }

    /** A loopback port nobody listens on now (redis-server has no port 0 that picks one). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
