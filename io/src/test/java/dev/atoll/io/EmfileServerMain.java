package dev.atoll.io;

import dev.atoll.config.AtollConfig;
import dev.atoll.shards.ShardRuntime;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link EmfileTest}: an echo server on one shard of driver {@code args[0]}, run with a
 * low descriptor limit. Protocol lines on stdout start with {@code @@}: {@code @@READY port openDescriptors},
 * then {@code @@STATS accepted acceptErrors openConnections} for each {@code stats} line on stdin; {@code quit} stops it.
 */
public final class EmfileServerMain {
    private EmfileServerMain() {
    }

    public static void main(String[] args) throws Exception {
        AtollConfig config = AtollConfig.parse("atoll.shards { count = 1, pin = false }\natoll.driver = " + args[0]
                + "\natoll.io.tcp.accept-retry = 100ms", "emfile child");
        try (ShardRuntime runtime = ShardRuntime.start(config)) {
            TcpServer server = TcpServer.start(runtime, new InetSocketAddress("127.0.0.1", 0), IoTesting.ECHO)
                    .get(30, TimeUnit.SECONDS);
            System.out.println("@@READY " + server.port() + " " + IoTesting.openDescriptors());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
                System.out.println("@@STATS " + server.accepted() + " " + server.acceptErrors() + " "
                        + server.openConnections(0));
            }
            server.close().get(30, TimeUnit.SECONDS);
        }
    }
}
