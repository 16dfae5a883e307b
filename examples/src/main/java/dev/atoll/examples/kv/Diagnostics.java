package dev.atoll.examples.kv;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * LATENCY as Redis 7.0 answers it with latency monitoring off (its default threshold, 0: no event
 * is ever sampled here), MEMORY DOCTOR's and LATENCY DOCTOR's texts (this server's words),
 * PFSELFTEST (a check of the HyperLogLog registers' 6-bit packing, as Redis's self-test begins) and
 * LOLWUT (the version line Redis 7.0 answers).
 */
final class Diagnostics {
    private static final String[] LATENCY_HELP = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a report on the latency of the server.",
        "GRAPH <event>",
        "    Return an ASCII graph of the samples of <event>.",
        "HISTORY <event>",
        "    Return the samples of <event>: time and latency.",
        "LATEST",
        "    Return the latest sample of every event.",
        "RESET [<event> ...]",
        "    Reset the samples of the events.",
        "    (default: every event)",
        "HISTOGRAM [COMMAND ...]",
        "    Return the latency distribution of the commands.",
        "    (default: every command)",
        "HELP",
        "    Prints this help."};
    static final String LATENCY_DOCTOR = "Latency monitoring is off on this server: no event is ever sampled, so there"
            + " is nothing to analyse. Redis samples events when latency-monitor-threshold is set above 0 milliseconds;"
            + " this server has no such setting. INFO commandstats and SLOWLOG show how long commands take.\n";
    static final String MEMORY_DOCTOR = "No memory report here: this server keeps values on the JVM's heap, and INFO"
            + " memory shows what each shard counts against maxmemory. MEMORY USAGE <key> shows one key's share.\n";
    /** Redis's self-test sets and reads back every register this many times; fewer rounds here keep the shard responsive. */
    private static final int SELF_TEST_ROUNDS = 100;

    private Diagnostics() {
    }

    /** LATENCY: Redis's replies for a server that records no latency event. */
    static void latency(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        int n = r.count();
        boolean arityOk = switch (sub) {
            case "latest", "doctor", "help" -> n == 2;
            case "history", "graph" -> n == 3;
            default -> true; // reset, histogram: any count; an unknown one: its error below
        };
        if (!arityOk) {
            out.error(KvConnection.wrongArity("latency|" + sub));
            return;
        }
        switch (sub) {
            case "latest", "history" -> out.arrayHeader(0);
            case "reset" -> out.integer(0);
            case "graph" -> out.error("ERR No samples available for event '" + r.string(2) + "'");
            case "doctor" -> out.verbatim(LATENCY_DOCTOR);
            case "histogram" -> out.mapHeader(0); // no per-call distribution is recorded (docs/kv.md)
            case "help" -> {
                out.arrayHeader(LATENCY_HELP.length);
                for (String line : LATENCY_HELP) {
                    out.simple(line);
                }
            }
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try LATENCY HELP.");
        }
    }

    /** PFSELFTEST: OK when every dense register reads back what was written, without disturbing its neighbours. */
    static void pfSelfTest(ReplyWriter out) {
        String failure = registersFailure(SELF_TEST_ROUNDS, new SplittableRandom(0x5eed));
        if (failure == null) {
            out.ok();
        } else {
            out.error("TESTFAILED " + failure);
        }
    }

    /** The first register that read back wrong over {@code rounds} of random values, or null. */
    static String registersFailure(int rounds, SplittableRandom random) {
        int[] values = new int[HyperLogLog.REGISTERS];
        for (int round = 0; round < rounds; round++) {
            byte[] dense = new byte[HyperLogLog.DENSE_SIZE];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(64);
                HyperLogLog.denseSet(dense, HyperLogLog.HEADER, i, values[i]);
            }
            for (int i = 0; i < values.length; i++) {
                if (HyperLogLog.denseGet(dense, HyperLogLog.HEADER, i) != values[i]) {
                    return "Register error at " + i;
                }
            }
        }
        return null;
    }

    /** LOLWUT [VERSION n]: the line Redis 7.0 answers (it draws art only for versions 5 and 6; this server never does). */
    static void lolwut(Request r, ReplyWriter out) {
        if (r.count() >= 3 && r.string(1).equalsIgnoreCase("version") && !r.longAt(2)) {
            out.error(KvShard.NOT_INTEGER);
            return;
        }
        out.verbatim("Redis ver. " + ServerCommands.REDIS_VERSION + "\n");
    }
}
