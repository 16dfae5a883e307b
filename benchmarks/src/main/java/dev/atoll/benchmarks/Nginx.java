package dev.atoll.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * nginx as the HTTP benchmark's peer for {@code /plaintext}, configured as TechEmpower's nginx entry
 * configures it (its {@code nginx.conf}): {@code return 200 "Hello, World!"} with
 * {@code default_type text/plain}, access log off, keep-alive with a high request count per
 * connection, {@code tcp_nodelay on}, {@code reuseport}. Two changes, both for a fair comparison with
 * Atoll on this machine: as many workers as Atoll has shards (TechEmpower: {@code auto}, one per CPU),
 * and no {@code worker_cpu_affinity}: unplaced, Atoll's shards run unpinned beside the load generator,
 * and per core {@code taskset} confines the whole server to one CPU, as it does Atoll's. The binary is Debian's ({@code nginx-light}); when it is missing the benchmark runs
 * without nginx and says how to install it. Everything it writes (pid file, temporary files) goes to a
 * directory of its own.
 */
final class Nginx {
    /** The Debian package that brings nginx. */
    static final String PACKAGE = "nginx-light";

    private Nginx() {
    }

    /** nginx's executable, on the PATH or in {@code /usr/sbin}; empty when it is not installed. */
    static Optional<Path> locate() {
        return ExternalTools.locate("nginx", System.getenv().getOrDefault("PATH", ""));
    }

    /** Why nginx is left out, and how to bring it in. */
    static String missingNote() {
        return "nginx is not installed: the run goes on without the nginx peer. "
                + ExternalTools.missingMessage(List.of("nginx"), List.of(PACKAGE));
    }

    /** The {@code nginx.conf} of the benchmark: {@code workers} processes serving {@code /plaintext} on {@code host:port}. */
    static String config(int workers, String host, int port, Path directory) {
        return """
                # ./atoll bench http: TechEmpower's nginx entry, with as many workers as Atoll has shards
                worker_processes %d;
                daemon off;
                master_process on;
                pid %s;
                error_log stderr error;
                timer_resolution 1s;

                events {
                    worker_connections 4096;
                    multi_accept off;
                }

                http {
                    access_log off;
                    server_tokens off;
                    sendfile off;
                    tcp_nopush off;
                    tcp_nodelay on;
                    keepalive_timeout 65;
                    keepalive_disable none;
                    keepalive_requests 300000;
                    client_body_temp_path %s;

                    server {
                        listen %s:%d reuseport;

                        location = /plaintext {
                            default_type text/plain;
                            return 200 "Hello, World!";
                        }
                    }
                }
                """.formatted(workers, directory.resolve("nginx.pid"), directory.resolve("client_body"), host, port);
    }

    /**
     * Starts nginx with {@link #config} in a fresh directory and waits until it accepts.
     *
     * @param prefix what goes before nginx's command ({@code taskset -c CPU}: its master and workers inherit the CPU)
     */
    static ServerProcess start(List<String> prefix, Path executable, int workers, String host)
            throws IOException, ServerProcess.StartFailure {
        Path directory = Files.createTempDirectory("atoll-bench-nginx-");
        int port = ServerProcess.freePort(host);
        Path conf = directory.resolve("nginx.conf");
        Files.writeString(conf, config(workers, host, port, directory));
        List<String> command = new ArrayList<>(prefix);
        command.addAll(command(executable, directory, conf));
        return ServerProcess.startListening("nginx", command, host, port, "epoll", workers);
    }

    /** {@code nginx -p DIR -c DIR/nginx.conf -e stderr}: nothing read from or written to /etc or /var/log. */
    static List<String> command(Path executable, Path directory, Path conf) {
        return List.of(executable.toString(), "-p", directory.toString(), "-c", conf.toString(), "-e", "stderr");
    }

    /** {@code nginx/1.22.1}. */
    static String version(Path executable) throws IOException, InterruptedException {
        String line = ExternalTools.firstLine(executable.toString(), "-v");
        return line.startsWith("nginx version: ") ? line.substring("nginx version: ".length()) : line;
    }
}
