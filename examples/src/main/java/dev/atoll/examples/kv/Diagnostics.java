package dev.atoll.examples.kv;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * MEMORY DOCTOR's text (this server's words),
 * PFSELFTEST (a check of the HyperLogLog registers' 6-bit packing, as Redis's self-test begins) and
 * LOLWUT (the version line Redis 7.0 answers) and MODULE (no modules: Redis's modules are C libraries).
 */
final class Diagnostics {
    static final String MEMORY_DOCTOR = "No memory report here: this server keeps values on the JVM's heap, and INFO"
            + " memory shows what each shard counts against maxmemory. MEMORY USAGE <key> shows one key's share.\n";
    /** Redis's self-test sets and reads back every register this many times; fewer rounds here keep the shard responsive. */
    private static final int SELF_TEST_ROUNDS = 100;

    private static final String[] MODULE_HELP = {
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST",
        "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]",
        "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations and optional arguments.",
        "UNLOAD <name>",
        "    Unload a module.",
        "HELP",
        "    Prints this help.",
    };
    /** What Redis 7.0 answers LOAD, LOADEX and UNLOAD under its default {@code enable-module-command no}. */
    static final String MODULE_NOT_ALLOWED = "ERR MODULE command not allowed. If the enable-module-command option is set"
            + " to \"local\", you can run it from a local connection, otherwise you need to set this option in the"
            + " configuration file, and then restart the server.";

    private Diagnostics() {
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

    /**
     * MODULE LIST (none: clients such as RedisInsight ask it to find modules), HELP, and LOAD, LOADEX, UNLOAD
     * refused as Redis 7.0 refuses them by default: a Redis module is a C library, which this server cannot load.
     */
    static void module(Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        int count = r.count();
        switch (sub) {
            case "list", "help" -> {
                if (count != 2) {
                    out.error(KvConnection.wrongArity("module|" + sub));
                } else if (sub.equals("list")) {
                    out.arrayHeader(0);
                } else {
                    out.helpLines(MODULE_HELP);
                }
            }
            case "load", "loadex", "unload" -> {
                if (count < 3 || sub.equals("unload") && count != 3) {
                    out.error(KvConnection.wrongArity("module|" + sub));
                } else {
                    out.error(MODULE_NOT_ALLOWED);
                }
            }
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try MODULE HELP.");
        }
    }
}
