package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;

/**
 * SCRIPT and FUNCTION, answered on the connection's shard: the script cache and the libraries are
 * the node's ({@link ScriptRegistry}), so a script loaded here is runnable on every shard at once.
 * A library is compiled and run here first (what it registers, or its error); each other shard
 * compiles it again at its first FCALL. FUNCTION's changes are logged here.
 */
final class ScriptCommands {
    private static final String[] SCRIPT_HELP = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.",
    };
    private static final String[] FUNCTION_HELP = {
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.",
    };
    private static final String NOT_BUSY = "NOTBUSY No scripts in execution right now.";

    private ScriptCommands() {
    }

    /** SCRIPT or FUNCTION of {@code r} on {@code home}, the connection's shard. */
    static void execute(KvShard home, Command command, Request r, ReplyWriter out) {
        if (command == Command.SCRIPT) {
            script(home, r, out);
        } else {
            function(home, r, out);
        }
    }

    private static void script(KvShard home, Request r, ReplyWriter out) {
        ScriptRegistry registry = home.node().scripts;
        String sub = r.string(1).toLowerCase(java.util.Locale.ROOT);
        int count = r.count();
        switch (sub) {
            case "load" -> {
                if (count != 3) {
                    wrongArity(out, "script|load");
                    return;
                }
                String body = r.string(2);
                String error = home.scripting().check(body);
                if (error != null) {
                    out.error(error);
                } else {
                    out.bulk(registry.addScript(body));
                }
            }
            case "exists" -> {
                if (count < 3) {
                    wrongArity(out, "script|exists");
                    return;
                }
                out.arrayHeader(count - 2);
                for (int i = 2; i < count; i++) {
                    out.integer(registry.hasScript(r.string(i).toLowerCase(java.util.Locale.ROOT)) ? 1 : 0);
                }
            }
            case "flush" -> {
                if (flushRefused(r, out, "script|flush", "ERR SCRIPT FLUSH only support SYNC|ASYNC option")) {
                    return;
                }
                registry.flushScripts();
                out.ok();
            }
            case "kill" -> out.error(NOT_BUSY); // a script never runs while its shard answers: see ScriptEngine
            case "debug" -> wrongArity(out, "script|debug"); // its three words: the connection's mode (KvConnection)
            case "help" -> out.helpLines(SCRIPT_HELP);
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try SCRIPT HELP.");
        }
    }

    private static void function(KvShard home, Request r, ReplyWriter out) {
        ScriptRegistry registry = home.node().scripts;
        String sub = r.string(1).toLowerCase(java.util.Locale.ROOT);
        int count = r.count();
        if ((sub.equals("load") || sub.equals("delete") || sub.equals("flush") || sub.equals("restore"))
                && home.writeRefusal() != null) {
            out.error(home.writeRefusal()); // MISCONF: the change could not be logged
            return;
        }
        switch (sub) {
            case "load" -> {
                boolean replace = count == 4 && r.string(2).equalsIgnoreCase("replace");
                if (count != 3 && !replace) {
                    if (count == 4) {
                        out.error("ERR Unknown option given: " + r.string(2));
                    } else {
                        wrongArity(out, "function|load");
                    }
                    return;
                }
                Object loaded = home.scripting().load(r.string(count - 1));
                if (!(loaded instanceof ScriptEngine.Loaded l)) {
                    out.error((String) loaded);
                    return;
                }
                String error = registry.load(l.library(), replace);
                if (error != null) {
                    out.error(error);
                    return;
                }
                home.scripting().keep(l);
                registry.log(home.aof);
                out.bulk(l.library().name());
            }
            case "delete" -> {
                if (count != 3) {
                    wrongArity(out, "function|delete");
                } else if (!registry.delete(r.string(2))) {
                    out.error("ERR Library not found");
                } else {
                    registry.log(home.aof);
                    out.ok();
                }
            }
            case "flush" -> {
                if (flushRefused(r, out, "function|flush", "ERR FUNCTION FLUSH only supports SYNC|ASYNC option")) {
                    return;
                }
                registry.flushLibraries();
                registry.log(home.aof);
                out.ok();
            }
            case "list" -> list(registry, r, out);
            case "stats" -> {
                if (count != 2) {
                    wrongArity(out, "function|stats");
                    return;
                }
                ScriptRegistry.Libraries all = registry.libraries();
                out.mapHeader(2);
                out.bulk("running_script").nullBulk();
                out.bulk("engines").mapHeader(1);
                out.bulk("LUA").mapHeader(2);
                out.bulk("libraries_count").integer(all.byName().size());
                out.bulk("functions_count").integer(all.functionCount());
            }
            case "kill" -> out.error(NOT_BUSY);
            case "dump" -> {
                if (count != 2) {
                    wrongArity(out, "function|dump");
                    return;
                }
                java.util.List<String> codes = new java.util.ArrayList<>();
                registry.libraries().byName().values().forEach(library -> codes.add(library.code()));
                out.bulk(DumpPayload.functions(codes));
            }
            case "restore" -> restore(home, r, out);
            case "help" -> out.helpLines(FUNCTION_HELP);
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try FUNCTION HELP.");
        }
    }

    /**
     * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: each library of the payload is compiled here (its
     * errors are FUNCTION LOAD's), then all are published at once under the policy and logged as a
     * FUNCTION LOAD is; any error leaves the libraries as they were.
     */
    private static void restore(KvShard home, Request r, ReplyWriter out) {
        int count = r.count();
        if (count < 3) {
            wrongArity(out, "function|restore");
            return;
        }
        if (count > 4) {
            out.error("ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try FUNCTION HELP.");
            return;
        }
        ScriptRegistry.RestorePolicy policy = ScriptRegistry.RestorePolicy.APPEND;
        if (count == 4) {
            String given = r.string(3).toUpperCase(java.util.Locale.ROOT);
            if (!given.equals("FLUSH") && !given.equals("APPEND") && !given.equals("REPLACE")) {
                out.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
            policy = ScriptRegistry.RestorePolicy.valueOf(given);
        }
        java.util.List<String> codes;
        try {
            codes = DumpPayload.functionCodes(r.bytes, r.offset(2), r.length(2));
        } catch (DumpPayload.BadFormat e) {
            out.error("ERR " + e.getMessage());
            return;
        }
        String error = restore(home, codes, policy);
        if (error != null) {
            out.error(error);
            return;
        }
        out.ok();
    }

    /**
     * Compiles the libraries of {@code codes} on {@code home} and publishes them under {@code policy} (FUNCTION
     * RESTORE, DEBUG RELOAD), logged; returns Redis's error text when they may not be, else null.
     */
    static String restore(KvShard home, java.util.List<String> codes, ScriptRegistry.RestorePolicy policy) {
        java.util.List<ScriptEngine.Loaded> loaded = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> functions = new java.util.HashSet<>();
        for (String code : codes) {
            Object compiled = home.scripting().load(code);
            if (!(compiled instanceof ScriptEngine.Loaded l)) {
                return (String) compiled;
            }
            if (!names.add(l.library().name())) {
                return "ERR Library '" + l.library().name() + "' already exists";
            }
            for (String function : l.library().functions().keySet()) {
                if (!functions.add(function)) {
                    return "ERR Function " + function + " already exists";
                }
            }
            loaded.add(l);
        }
        ScriptRegistry registry = home.node().scripts;
        String error = registry.restore(loaded.stream().map(ScriptEngine.Loaded::library).toList(), policy);
        if (error != null) {
            return error;
        }
        loaded.forEach(home.scripting()::keep);
        registry.log(home.aof);
        return null;
    }

    /** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE], in Redis's shape. */
    private static void list(ScriptRegistry registry, Request r, ReplyWriter out) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < r.count(); i++) {
            String option = r.string(i);
            if (option.equalsIgnoreCase("withcode") && !withCode) {
                withCode = true;
            } else if (option.equalsIgnoreCase("libraryname") && pattern == null && i + 1 < r.count()) {
                pattern = r.copy(++i);
            } else {
                out.error("ERR Unknown argument " + option);
                return;
            }
        }
        java.util.List<ScriptRegistry.Library> shown = new java.util.ArrayList<>();
        for (ScriptRegistry.Library library : registry.libraries().byName().values()) {
            if (pattern == null || Glob.matches(pattern, library.name().getBytes(StandardCharsets.UTF_8))) {
                shown.add(library);
            }
        }
        out.arrayHeader(shown.size());
        for (ScriptRegistry.Library library : shown) {
            out.mapHeader(withCode ? 4 : 3);
            out.bulk("library_name").bulk(library.name());
            out.bulk("engine").bulk("LUA");
            out.bulk("functions").arrayHeader(library.functions().size());
            for (ScriptRegistry.Function f : library.functions().values()) {
                out.mapHeader(3);
                out.bulk("name").bulk(f.name());
                out.bulk("description");
                if (f.description() == null) {
                    out.nullBulk();
                } else {
                    out.bulk(f.description());
                }
                out.bulk("flags").setHeader(f.flags().size());
                for (String flag : f.flags()) {
                    out.simple(flag);
                }
            }
            if (withCode) {
                out.bulk("library_code").bulk(library.code().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** SCRIPT FLUSH's and FUNCTION FLUSH's arguments ([ASYNC|SYNC], the same either way here): true after answering their error. */
    private static boolean flushRefused(Request r, ReplyWriter out, String name, String badMode) {
        if (r.count() > 3) {
            wrongArity(out, name);
            return true;
        }
        if (r.count() == 3 && !r.string(2).equalsIgnoreCase("sync") && !r.string(2).equalsIgnoreCase("async")) {
            out.error(badMode);
            return true;
        }
        return false;
    }

    private static void wrongArity(ReplyWriter out, String name) {
        out.error("ERR wrong number of arguments for '" + name + "' command");
    }
}
