package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scripts and function libraries every shard sees (Redis's script cache and its functions), and
 * the time a script may run. Shards read it without locks: the script cache is a
 * {@link ConcurrentHashMap} (lock-free reads), the libraries an immutable {@link Libraries} snapshot
 * behind a volatile reference, replaced whole by FUNCTION LOAD, DELETE, FLUSH (writers synchronize
 * among themselves; these are administration, not the data path). Each shard compiles what it runs
 * in its own Lua state ({@link ScriptEngine}), so only source text crosses threads.
 *
 * <p>The libraries are persisted: each change writes the whole set as one record
 * ({@code FUNCTION LIBRARIES <version> <code>...}) in the log of the shard that made it, and a log
 * rewrite starts with the current set; at start the record of the highest version over all logs
 * wins ({@link Latest}), whatever order the logs replay in. Scripts of the cache are not persisted,
 * as in Redis 7 (their effects are).
 */
final class ScriptRegistry {
    /** The log record's name and its subcommand. */
    static final byte[] FUNCTION = ReplyWriter.asciiBytes("function");
    static final byte[] LIBRARIES = ReplyWriter.asciiBytes("libraries");

    /** Redis's {@code busy-reply-threshold} default: a script running longer is stopped (see {@link ScriptEngine}). */
    static final long DEFAULT_BUSY_MILLIS = 5000;

    /** One registered function: its name, flags (no-writes, allow-oom, ...), description (null: none). */
    record Function(String name, List<String> flags, String description) {
        boolean readOnly() {
            return flags.contains("no-writes");
        }
    }

    /** One library: its name, code, and functions in the order they were registered. */
    record Library(String name, String code, Map<String, Function> functions) { }

    /** Every library, by name and by function name; never changed once published. */
    record Libraries(long version, Map<String, Library> byName, Map<String, Library> byFunction) {
        static final Libraries EMPTY = new Libraries(0, Map.of(), Map.of());

        int functionCount() {
            return byFunction.size();
        }

        /** The libraries' source code, in characters (INFO's used_memory_functions). */
        long codeBytes() {
            long bytes = 0;
            for (Library l : byName.values()) {
                bytes += l.code().length();
            }
            return bytes;
        }
    }

    private final ConcurrentHashMap<String, String> scripts = new ConcurrentHashMap<>();
    /** Bumped by SCRIPT FLUSH: each shard drops its compiled scripts when it sees a new value. */
    private volatile long scriptGeneration;
    private volatile Libraries libraries = Libraries.EMPTY;
    /** {@code busy-reply-threshold} (alias {@code lua-time-limit}) in milliseconds; CONFIG SET changes it. */
    volatile long busyMillis = DEFAULT_BUSY_MILLIS;

    /** The flags a script or function may declare, as Redis 7.0's. */
    static final Set<String> SCRIPT_FLAGS = Set.of("no-writes", "allow-oom", "allow-stale", "no-cluster",
            "allow-cross-slot-keys");

    /** Whether a script's body begins with a shebang ({@code #!lua flags=...}): it declares its flags. */
    static boolean hasShebang(String body) {
        return body.startsWith("#!");
    }

    /** Reads the shebang of {@code body} (one that {@link #hasShebang has one}) into {@code flags}; Redis's error text, or null. */
    static String shebangFlags(String body, List<String> flags) {
        int end = body.indexOf('\n');
        String shebang = end < 0 ? body : body.substring(0, end);
        String[] words = shebang.substring(2).trim().split(" +");
        if (!words[0].equals("lua")) {
            return "ERR Could not find engine '" + words[0] + "'";
        }
        for (int i = 1; i < words.length; i++) {
            if (!words[i].startsWith("flags=")) {
                return "ERR Unknown lua shebang option: " + words[i];
            }
            for (String flag : words[i].substring(6).split(",")) {
                if (!flag.isEmpty() && !SCRIPT_FLAGS.contains(flag)) {
                    return "ERR Unexpected flag in script shebang: " + flag;
                }
                flags.add(flag);
            }
        }
        return null;
    }

    /**
     * Whether the script or function {@code r} runs ({@code EVAL}, {@code EVALSHA}, {@code FCALL}) declares
     * {@code no-writes}: Redis 7.0 then takes the declared flags in place of the command's own write and
     * may-replicate flags ({@code scriptFlagsToCmdFlags}). False for an unknown script or function, or a script
     * without a shebang or with a wrong one: the command's flags stand, as in Redis.
     */
    boolean declaresNoWrites(Command command, Request r) {
        if (command == Command.FCALL) {
            Library library = libraries.byFunction().get(r.string(1));
            return library != null && library.functions().get(r.string(1)).readOnly();
        }
        String body = command == Command.EVAL ? r.string(1)
                : command == Command.EVALSHA ? script(r.string(1).toLowerCase(Locale.ROOT)) : null;
        if (body == null || !hasShebang(body)) {
            return false;
        }
        List<String> flags = new ArrayList<>();
        return shebangFlags(body, flags) == null && flags.contains("no-writes");
    }

    /** The body of the script of this SHA1 (40 lowercase hex digits), or null. */
    String script(String sha) {
        return scripts.get(sha);
    }

    /** Adds a script to the cache (SCRIPT LOAD, and EVAL as Redis does); returns its SHA1. */
    String addScript(String body) {
        String sha = sha1Hex(body.getBytes(StandardCharsets.UTF_8));
        scripts.putIfAbsent(sha, body);
        return sha;
    }

    boolean hasScript(String sha) {
        return scripts.containsKey(sha);
    }

    int scriptCount() {
        return scripts.size();
    }

    /** The cached scripts' bodies, in characters (INFO's used_memory_scripts_eval). */
    long scriptBytes() {
        long bytes = 0;
        for (String body : scripts.values()) {
            bytes += body.length();
        }
        return bytes;
    }

    long scriptGeneration() {
        return scriptGeneration;
    }

    /** SCRIPT FLUSH. */
    synchronized void flushScripts() {
        scripts.clear();
        scriptGeneration++;
    }

    Libraries libraries() {
        return libraries;
    }

    /**
     * Publishes {@code library} (FUNCTION LOAD); returns Redis's error text when it may not be, else
     * null. With {@code replace} a library of the same name is replaced; a function name may not be
     * another library's.
     */
    synchronized String load(Library library, boolean replace) {
        Libraries now = libraries;
        Library old = now.byName.get(library.name());
        if (old != null && !replace) {
            return "ERR Library '" + library.name() + "' already exists";
        }
        for (String function : library.functions().keySet()) {
            Library owner = now.byFunction.get(function);
            if (owner != null && !owner.name().equals(library.name())) {
                return "ERR Function " + function + " already exists";
            }
        }
        Map<String, Library> byName = new LinkedHashMap<>(now.byName);
        byName.put(library.name(), library);
        publish(now.version + 1, byName);
        return null;
    }

    /** What FUNCTION RESTORE does with the libraries there are. */
    enum RestorePolicy {
        /** Deletes them all first. */
        FLUSH,
        /** Keeps them; a restored library of the same name is an error (the default). */
        APPEND,
        /** A restored library replaces the one of its name. */
        REPLACE
    }

    /**
     * Publishes {@code restored} (FUNCTION RESTORE: libraries of distinct names and functions) under
     * {@code policy}; returns Redis's error text when they may not be, else null. Whichever the
     * policy, a restored function may not be a remaining library's.
     */
    synchronized String restore(List<Library> restored, RestorePolicy policy) {
        Libraries now = libraries;
        Map<String, Library> byName = new LinkedHashMap<>(policy == RestorePolicy.FLUSH ? Map.of() : now.byName);
        for (Library library : restored) {
            if (byName.containsKey(library.name())) {
                if (policy == RestorePolicy.APPEND) {
                    return "ERR Library " + library.name() + " already exists";
                }
                byName.remove(library.name());
            }
        }
        java.util.Set<String> functions = new java.util.HashSet<>();
        byName.values().forEach(library -> functions.addAll(library.functions().keySet()));
        for (Library library : restored) {
            for (String function : library.functions().keySet()) {
                if (functions.contains(function)) {
                    return "ERR Function " + function + " already exists";
                }
            }
        }
        restored.forEach(library -> byName.put(library.name(), library));
        publish(now.version + 1, byName);
        return null;
    }

    /** FUNCTION DELETE; false when there is no such library. */
    synchronized boolean delete(String name) {
        Libraries now = libraries;
        if (!now.byName.containsKey(name)) {
            return false;
        }
        Map<String, Library> byName = new LinkedHashMap<>(now.byName);
        byName.remove(name);
        publish(now.version + 1, byName);
        return true;
    }

    /** FUNCTION FLUSH. */
    synchronized void flushLibraries() {
        publish(libraries.version + 1, Map.of());
    }

    /** At start: the libraries the logs hold (the record of the highest version). */
    synchronized void restore(Latest latest, ScriptEngine compiler) {
        if (latest == null || latest.version == 0) {
            return;
        }
        Map<String, Library> byName = new LinkedHashMap<>();
        for (String code : latest.codes) {
            Object parsed = compiler.parseLibrary(code);
            if (parsed instanceof Library library) {
                byName.put(library.name(), library);
            } else {
                throw new IllegalStateException("a function library in the log does not load: " + parsed);
            }
        }
        publish(latest.version, byName);
    }

    private void publish(long version, Map<String, Library> byName) {
        Map<String, Library> byFunction = new LinkedHashMap<>();
        for (Library library : byName.values()) {
            for (String function : library.functions().keySet()) {
                byFunction.put(function, library);
            }
        }
        libraries = new Libraries(version, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byFunction));
    }

    /** The record of the libraries as they are (a log rewrite's first): nothing before the first change. */
    void writeRecord(ReplyWriter w) {
        Libraries now = libraries;
        if (now.version != 0) {
            writeRecord(w.arrayHeader(3 + now.byName.size()), now);
        }
    }

    /** Logs the libraries as they are now to {@code aof}, if the server has one. */
    void log(Aof aof) {
        if (aof != null) {
            Libraries now = libraries;
            aof.record(3 + now.byName.size(), w -> writeRecord(w, now));
        }
    }

    private static void writeRecord(ReplyWriter w, Libraries libraries) {
        w.bulk(FUNCTION).bulk(LIBRARIES).bulkDecimal(libraries.version);
        for (Library library : libraries.byName.values()) {
            w.bulk(library.code().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The libraries record of the highest version read from the logs at start. */
    static final class Latest {
        long version;
        String[] codes = new String[0];

        /** The libraries of {@code codes} (an RDB file's), as the first version; none for an empty list. */
        static Latest of(java.util.List<String> codes) {
            Latest latest = new Latest();
            if (!codes.isEmpty()) {
                latest.version = 1;
                latest.codes = codes.toArray(String[]::new);
            }
            return latest;
        }

        /** Takes {@code r} when it is a libraries record (true; kept when newer); false for any other record. */
        boolean offer(Request r) {
            if (r.count() < 3 || !r.is(0, FUNCTION) || !r.is(1, LIBRARIES)) {
                return false;
            }
            if (r.longAt(2) && r.number > version) {
                version = r.number;
                codes = new String[r.count() - 3];
                for (int i = 3; i < r.count(); i++) {
                    codes[i - 3] = new String(r.bytes, r.offset(i), r.length(i), StandardCharsets.UTF_8);
                }
            }
            return true;
        }

        /** Keeps the newer of this and {@code other}. */
        void merge(Latest other) {
            if (other.version > version) {
                version = other.version;
                codes = other.codes;
            }
        }
    }

    /** Lowercase hex SHA1 of {@code bytes}, as redis.sha1hex and the script cache name scripts. */
    static String sha1Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
