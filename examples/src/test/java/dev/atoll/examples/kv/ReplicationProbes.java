package dev.atoll.examples.kv;

import redis.clients.jedis.Jedis;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded waits and INFO reads shared by the replication tests (Atoll as the master, Atoll as a replica). */
final class ReplicationProbes {
    private ReplicationProbes() {
    }

    /** Waits (10 ms steps, 30 s at most) until {@code condition} holds; fails naming {@code what} otherwise. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 30 s for " + what);
            Thread.sleep(10);
        }
    }

    /** {@code field} of INFO {@code section}, or null. */
    static String infoField(Jedis jedis, String section, String field) {
        for (String line : jedis.info(section).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    /** {@code field} of INFO {@code section}, a number. */
    static long infoLong(Jedis jedis, String section, String field) {
        return Long.parseLong(infoField(jedis, section, field));
    }

    /** The replica's link is up and it has applied everything the master's stream holds now. */
    static void caughtUp(Jedis master, Jedis replica) throws InterruptedException {
        await("the replica's link and offset", () -> "up".equals(infoField(replica, "replication", "master_link_status"))
                && infoField(master, "replication", "master_repl_offset")
                .equals(infoField(replica, "replication", "slave_repl_offset")));
    }
}
