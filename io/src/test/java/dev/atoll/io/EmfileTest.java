package dev.atoll.io;

import dev.atoll.config.DriverKind;
import dev.atoll.shards.TestRuntimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Running out of descriptors while accepting: a server in a child JVM with a low RLIMIT_NOFILE keeps serving
 * its connections, does not spin while the limit holds, and accepts the waiting connections once
 * descriptors are free again.
 */
class EmfileTest {
    private static final int LIMIT = 256;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            IoTesting.closeQuietly(cleanup.get(i));
        }
    }

    private record Stats(long accepted, long acceptErrors, int open) {
        static Stats parse(String answer) {
            String[] parts = answer.split(" ");
            if (!parts[0].equals("STATS")) {
                throw new AssertionError("not stats: " + answer);
            }
            return new Stats(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Integer.parseInt(parts[3]));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.atoll.shards.TestRuntimes#drivers")
    void outOfDescriptorsTheServerKeepsServingWithoutSpinningAndRecovers(DriverKind driver) throws Exception {
        TestRuntimes.assumeAvailable(driver);
        ChildProcess child = ChildProcess.start(LIMIT, EmfileServerMain.class.getName(), driver.displayName());
        cleanup.add(child);
        String[] ready = child.answer().split(" ");
        assertTrue(ready[0].equals("READY"), "child said " + String.join(" ", ready) + "\n" + child.output());
        int port = Integer.parseInt(ready[1]);
        int free = LIMIT - Integer.parseInt(ready[2]);
        assertTrue(free > 40, "the child has " + free + " descriptors free\n" + child.output());

        // More connections than the child can take: the kernel completes them all (the backlog is 1024),
        // the child accepts in order until EMFILE.
        int extra = 10;
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < free + extra; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            cleanup.add(socket);
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
            clients.add(socket);
        }
        Stats stats = awaitStats(child, s -> s.acceptErrors() > 0);
        int accepted = (int) stats.accepted();
        assertTrue(accepted >= free - 5 && accepted < clients.size(),
                "accepted " + accepted + " of " + clients.size() + " with " + free + " descriptors free");

        // The accepted ones are served.
        for (int i = 0; i < accepted; i++) {
            IoTesting.assertEchoes(clients.get(i), "x");
        }

        // Out of descriptors, the server waits accept-retry (100 ms) between tries: little CPU, few errors.
        Duration cpuBefore = child.cpuTime();
        long errorsBefore = Stats.parse(child.ask("stats")).acceptErrors();
        long started = System.nanoTime();
        Thread.sleep(1_500); // the observation window
        Duration cpu = child.cpuTime().minus(cpuBefore);
        long errors = Stats.parse(child.ask("stats")).acceptErrors() - errorsBefore;
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuShare = cpu.toNanos() / 1e9 / seconds;
        System.out.printf("EmfileTest[%s]: %d descriptors free, %d accepted, out of descriptors for %.2f s: "
                + "%.1f%% of a CPU, %d accept errors%n", driver.displayName(), free, accepted, seconds, cpuShare * 100, errors);
        assertTrue(cpuShare < 0.20, "the child used " + cpuShare * 100 + "% of a CPU while out of descriptors");
        assertTrue(errors >= 3 && errors <= seconds * 10 + 5,
                errors + " accept errors in " + seconds + " s: it should retry every 100 ms");

        // Free 20 descriptors: the waiting connections get accepted and served, and new ones too.
        for (int i = 0; i < 20; i++) {
            clients.get(i).close();
        }
        for (int i = accepted; i < clients.size(); i++) {
            IoTesting.assertEchoes(clients.get(i), "y");
        }
        Socket late = new Socket("127.0.0.1", port);
        cleanup.add(late);
        late.setSoTimeout((int) TimeUnit.SECONDS.toMillis(IoTesting.WAIT));
        IoTesting.assertEchoes(late, "a new one");
        for (int i = 20; i < accepted; i++) {
            IoTesting.assertEchoes(clients.get(i), "z");
        }
        Stats end = Stats.parse(child.ask("stats"));
        assertTrue(end.accepted() == clients.size() + 1, "accepted in the end: " + end);
    }

    private static Stats awaitStats(ChildProcess child, java.util.function.Predicate<Stats> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(IoTesting.WAIT);
        while (true) {
            Stats stats = Stats.parse(child.ask("stats"));
            if (condition.test(stats)) {
                return stats;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the child never reached the state; last " + stats + "\n" + child.output());
            }
            Thread.sleep(20);
        }
    }
}
