package dev.atoll.examples;

import dev.atoll.examples.http.HttpSettings;
import dev.atoll.examples.http.HttpServer;
import dev.atoll.shards.ErrorHandler;
import dev.atoll.shards.Shard;
import dev.atoll.shards.ShardRuntime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The http example with a test-only way to kill a shard: the line {@code crash N} on standard input
 * makes shard N's loop end: a task there throws an error the runtime's {@link ErrorHandler} calls fatal.
 */
public final class CrashingHttpServer {
    /** What ends the shard's loop. */
    static final class Crash extends Error {
        Crash(int shard) {
            super("test crash of shard " + shard);
        }
    }

    private CrashingHttpServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings settings = ServerOptions.parseOrExit("http", HttpServer.DEFAULT_PORT, args);
        ServerLifecycle.serveService(settings, runtime -> {
            runtime.errorHandler(new ErrorHandler() {
                @Override
                public void onError(Shard shard, Object callback, Throwable error) {
                    System.err.println(callback + " on shard " + shard.id() + " threw " + error);
                }

                @Override
                public boolean isFatal(Throwable error) {
                    return error instanceof Crash;
                }
            });
            Thread trigger = new Thread(() -> crashOnRequest(runtime), "crash-trigger");
            trigger.setDaemon(true);
            trigger.start();
            return () -> HttpServer.handler(HttpSettings.DEFAULTS);
        });
    }

    private static void crashOnRequest(ShardRuntime runtime) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("crash ")) {
                    int shard = Integer.parseInt(line.substring(6).trim());
                    runtime.execute(shard, () -> {
                        throw new Crash(shard);
                    });
                }
            }
        } catch (IOException e) {
            // the test went away; the process is stopped by it
        }
    }
}
