package dev.atoll.examples.kv;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One shard's Lua (luaj): runs EVAL scripts and FCALL functions on the shard that owns their keys,
 * whole, as one task of its loop, so nothing else runs on the shard meanwhile (Redis's atomicity).
 * {@code redis.call} executes a command through {@link KvShard#execute} on this shard, which logs
 * its writes as usual: a script's effects, not the script, reach the log (Redis 7's effects
 * replication), so a replay gives the same data.
 *
 * <p>The sandbox follows Redis: base, string, table, math, and Redis's bundled libraries rebuilt in
 * Java ({@link LuaCjson}, {@link LuaCmsgpack}, {@link LuaStruct}, {@link LuaBitOp}), no io, os,
 * package, require, dofile or loadfile; globals are read-only ("Attempt to modify a readonly table")
 * and reading an unknown one fails ("Script attempted to access nonexistent global variable").
 * A script that runs longer than {@code busy-reply-threshold} is stopped by an instruction hook
 * (the shard could not serve SCRIPT KILL while it runs): its reply is an error, and the writes it made
 * before stay, each whole and logged. Any failure of the script or of the bridge is that command's
 * error reply.
 */
final class ScriptEngine {
    private static final Logger log = LoggerFactory.getLogger(ScriptEngine.class);

    /** A library compiled here: what the registry publishes, and its callbacks in this Lua state. */
    record Loaded(ScriptRegistry.Library library, Map<String, LuaValue> callbacks) { }

    private final KvShard shard;
    private final ScriptRegistry registry;
    /** The server's shard count: a script's command on a key another shard owns is refused. */
    private final int shards;
    /** The debugging session this engine runs the script of, or null (a shard's own engine). */
    private final LuaDebugger debugger;
    private final Globals globals = new Globals();
    private final ScriptHook hook = new ScriptHook();
    /** The tables a script may not change (the globals' view, redis, string, ...). */
    private final Set<LuaValue> readOnly = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** What a script's globals hold (read through the read-only view {@link #env}). */
    private final LuaTable safe = new LuaTable();
    private final Globals env;
    private final LuaTable redisRun;
    private final LuaTable redisLoad;
    private final Map<String, LuaValue> compiled = new HashMap<>();
    private long compiledGeneration;
    private final Map<ScriptRegistry.Library, Map<String, LuaValue>> libraries = new IdentityHashMap<>();
    private long librariesVersion;
    private final ReplyWriter inner = new ReplyWriter(256);
    private final Request request = new Request();

    // The call in progress.
    private boolean running;
    private boolean writesRefused;
    private boolean resp3;
    private long now;
    private LuaValue keys = LuaValue.NIL;
    private LuaValue argv = LuaValue.NIL;
    /** The functions FUNCTION LOAD's code registers; null outside a load. */
    private Map<String, ScriptRegistry.Function> registering;
    private Map<String, LuaValue> registeringCallbacks;

    /**
     * The Lua state of {@code shard} (of {@code shards}); with a {@code debugger}, the private one of a
     * debugging session, whose shard is the session's copy of the script's keys.
     */
    ScriptEngine(KvShard shard, ScriptRegistry registry, int shards, LuaDebugger debugger) {
        this.shard = shard;
        this.registry = registry;
        this.shards = shards;
        this.debugger = debugger;
        if (debugger != null) {
            hook.debugger(debugger);
        }
        globals.load(new JseBaseLib());
        globals.load(new PackageLib()); // the other libraries register in package.loaded
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        globals.load(hook);
        LoadState.install(globals);
        LuaC.install(globals);
        LuaTable safe = this.safe;
        for (String name : new String[] {"assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
                "rawlen", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION"}) {
            safe.rawset(name, globals.get(name));
        }
        LuaValue tableLib = globals.get("table");
        safe.rawset("unpack", tableLib.get("unpack"));
        safe.rawset("string", protect(globals.get("string"), false));
        safe.rawset("table", protect(tableLib, false));
        safe.rawset("math", protect(globals.get("math"), false));
        safe.rawset("bit", protect(LuaBitOp.library(), false));
        safe.rawset("struct", protect(LuaStruct.library(), false));
        safe.rawset("cmsgpack", protect(LuaCmsgpack.library(), false));
        safe.rawset("cjson", protect(LuaCjson.library(), false));
        safe.rawset("coroutine", protect(new LuaTable(), false));
        LuaValue baseLoad = globals.get("load");
        LuaValue baseRawset = globals.get("rawset");
        // The scripts' _ENV is a Globals (empty, read through the metatable below): luaj's closures call
        // the instruction hook only when their environment is one.
        Globals view = new Globals();
        view.running = globals.running;
        view.debuglib = hook;
        this.env = view;
        safe.rawset("_G", env);
        safe.rawset("load", new VarArgFunction() { // text chunks only, in the sandbox
            @Override
            public Varargs invoke(Varargs args) {
                return baseLoad.invoke(LuaValue.varargsOf(new LuaValue[] {args.arg1(),
                        args.arg(2).isnil() ? LuaValue.valueOf("=(load)") : args.arg(2), LuaValue.valueOf("t"), env}));
            }
        });
        safe.rawset("rawset", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                if (readOnly.contains(args.arg1())) {
                    throw new LuaError("Attempt to modify a readonly table");
                }
                return baseRawset.invoke(args);
            }
        });
        this.redisRun = protect(redisApi(false), true);
        this.redisLoad = protect(redisApi(true), true);
        LuaTable meta = new LuaTable();
        meta.rawset(LuaValue.INDEX, new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                LuaValue key = args.arg(2);
                String name = key.isstring() ? key.tojstring() : null;
                if ("redis".equals(name)) {
                    return registering != null ? redisLoad : redisRun;
                } else if ("KEYS".equals(name) && !keys.isnil()) {
                    return keys;
                } else if ("ARGV".equals(name) && !argv.isnil()) {
                    return argv;
                }
                LuaValue v = safe.rawget(key);
                if (v.isnil() && !"loadstring".equals(name)) { // Redis 7.0 reads loadstring as nil
                    throw new LuaError("Script attempted to access nonexistent global variable '" + key.tojstring() + "'");
                }
                return v;
            }
        });
        meta.rawset(LuaValue.NEWINDEX, readOnlyWrite());
        meta.rawset(LuaValue.METATABLE, LuaValue.FALSE);
        env.setmetatable(meta);
        readOnly.add(env);
    }

    private LuaTable protect(LuaValue table, boolean strict) {
        LuaTable view = new LuaTable();
        LuaTable meta = new LuaTable();
        if (strict) {
            meta.rawset(LuaValue.INDEX, new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs args) {
                    LuaValue v = table.rawget(args.arg(2));
                    if (v.isnil()) {
                        throw new LuaError("Script attempted to access nonexistent global variable '" + args.arg(2).tojstring() + "'");
                    }
                    return v;
                }
            });
        } else {
            meta.rawset(LuaValue.INDEX, table);
        }
        meta.rawset(LuaValue.NEWINDEX, readOnlyWrite());
        meta.rawset(LuaValue.METATABLE, LuaValue.FALSE);
        view.setmetatable(meta);
        readOnly.add(view);
        return view;
    }

    private static VarArgFunction readOnlyWrite() {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                throw new LuaError("Attempt to modify a readonly table");
            }
        };
    }

    /** The redis table: at run time, or while FUNCTION LOAD runs a library's code (register_function, log only). */
    private LuaTable redisApi(boolean load) {
        LuaTable redis = new LuaTable();
        redis.rawset("LOG_DEBUG", 0);
        redis.rawset("LOG_VERBOSE", 1);
        redis.rawset("LOG_NOTICE", 2);
        redis.rawset("LOG_WARNING", 3);
        redis.rawset("REDIS_VERSION", "7.0.15");
        redis.rawset("REDIS_VERSION_NUM", 0x07000f);
        redis.rawset("log", function(args -> {
            String text = args.narg() < 2 ? "" : args.arg(2).tojstring();
            switch (args.arg1().optint(2)) {
                case 0 -> log.debug("script: {}", text);
                case 1, 2 -> log.info("script: {}", text);
                default -> log.warn("script: {}", text);
            }
            return LuaValue.NIL;
        }));
        if (load) {
            redis.rawset("register_function", function(this::registerFunction));
            return redis;
        }
        redis.rawset("REPL_NONE", 0);
        redis.rawset("REPL_AOF", 1);
        redis.rawset("REPL_SLAVE", 2);
        redis.rawset("REPL_REPLICA", 2);
        redis.rawset("REPL_ALL", 3);
        redis.rawset("call", function(args -> call(args, true)));
        redis.rawset("pcall", function(args -> call(args, false)));
        redis.rawset("error_reply", function(args -> ScriptReplies.error(args.checkjstring(1))));
        redis.rawset("status_reply", function(args -> ScriptReplies.status(args.checkjstring(1))));
        redis.rawset("sha1hex", function(args -> LuaValue.valueOf(ScriptRegistry.sha1Hex(LuaArgs.bytes(args.checkstring(1))))));
        redis.rawset("setresp", function(args -> {
            int version = args.checkint(1);
            if (version != 2 && version != 3) {
                throw new LuaError(ScriptReplies.error("ERR RESP version must be 2 or 3."));
            }
            resp3 = version == 3;
            return LuaValue.NIL;
        }));
        redis.rawset("set_repl", function(args -> LuaValue.NIL));          // effects are always what is logged
        redis.rawset("replicate_commands", function(args -> LuaValue.TRUE));
        redis.rawset("breakpoint", function(args -> LuaValue.valueOf(debugger != null && debugger.breakpoint())));
        redis.rawset("debug", function(args -> {
            if (debugger != null) {
                debugger.debug(args);
            }
            return LuaValue.NONE;
        }));
        return redis;
    }

    private static VarArgFunction function(LuaArgs.Body body) {
        return LuaArgs.function(null, body);
    }

    /** Whether a script runs now (its inner commands must not serve blocked clients: the script is one step). */
    boolean running() {
        return running;
    }

    // ---- EVAL and FCALL ----

    /** READONLY for a script's write on a read-only replica, unless the script runs for the master; else null. */
    private String replicaRefusal() {
        KvNode node = shard.node();
        if (node == null) {
            return null; // a shard of no server: the Lua debugger's copy of the script's keys
        }
        String refusal = node.replica.writeRefusal();
        KvConnection caller = shard.executingFor != null ? shard.executingFor : shard.transactionFor;
        return refusal == null || (caller != null && caller.fromMaster()) ? null : refusal;
    }

    /** EVAL, EVALSHA, EVAL_RO, EVALSHA_RO on the shard that owns their keys. */
    void eval(Command command, Request r, long now, ReplyWriter out) {
        int numKeys = numKeys(r, out);
        if (numKeys < 0) {
            return;
        }
        boolean bySha = command == Command.EVALSHA || command == Command.EVALSHA_RO;
        String sha;
        String body;
        if (bySha) {
            sha = r.string(1).toLowerCase(java.util.Locale.ROOT);
            body = registry.script(sha);
            if (body == null) {
                out.error("NOSCRIPT No matching script. Please use EVAL.");
                return;
            }
        } else {
            body = r.string(1);
            sha = ScriptRegistry.sha1Hex(r.copy(1));
        }
        List<String> flags = new ArrayList<>();
        Object compiledOrError = compiled(sha, body, flags);
        if (compiledOrError instanceof String error) {
            out.error(error);
            return;
        }
        if (!bySha) {
            registry.addScript(body); // as Redis: EVAL caches the script for EVALSHA
        }
        boolean refuseWrites = command == Command.EVAL_RO || command == Command.EVALSHA_RO || flags.contains("no-writes");
        keys = table(r, 3, 3 + numKeys);
        argv = table(r, 3 + numKeys, r.count());
        run((LuaValue) compiledOrError, LuaValue.NONE, sha, "user_script", refuseWrites, now, out);
    }

    /** FCALL and FCALL_RO on the shard that owns their keys. */
    void fcall(Command command, Request r, long now, ReplyWriter out) {
        int numKeys = numKeys(r, out);
        if (numKeys < 0) {
            return;
        }
        String name = r.string(1);
        ScriptRegistry.Libraries all = registry.libraries();
        ScriptRegistry.Library library = all.byFunction().get(name);
        if (library == null) {
            out.error("ERR Function not found");
            return;
        }
        ScriptRegistry.Function function = library.functions().get(name);
        if (command == Command.FCALL_RO && !function.readOnly()) {
            out.error("ERR Can not execute a script with write flag using *_ro command.");
            return;
        }
        if (all.version() != librariesVersion) {
            Set<ScriptRegistry.Library> current = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            current.addAll(all.byName().values());
            libraries.keySet().retainAll(current); // the compiled callbacks of replaced or deleted libraries go
            librariesVersion = all.version();
        }
        Map<String, LuaValue> callbacks = libraries.get(library);
        if (callbacks == null) {
            Object loaded = load(library.code());
            if (!(loaded instanceof Loaded l)) {
                out.error("ERR the library '" + library.name() + "' does not load here: " + loaded);
                return;
            }
            callbacks = l.callbacks();
            libraries.put(library, callbacks);
        }
        LuaValue keysTable = table(r, 3, 3 + numKeys);
        LuaValue argsTable = table(r, 3 + numKeys, r.count());
        run(callbacks.get(name), LuaValue.varargsOf(keysTable, argsTable), name, "user_function", function.readOnly(), now, out);
    }

    /** The numkeys argument, or -1 after answering Redis's error. */
    private static int numKeys(Request r, ReplyWriter out) {
        if (!r.longAt(2)) {
            out.error("ERR value is not an integer or out of range");
            return -1;
        }
        if (r.number < 0) {
            out.error("ERR Number of keys can't be negative");
            return -1;
        }
        if (r.number > r.count() - 3) {
            out.error("ERR Number of keys can't be greater than number of args");
            return -1;
        }
        return (int) r.number;
    }

    private static LuaTable table(Request r, int from, int to) {
        LuaTable t = new LuaTable(to - from, 0);
        for (int i = from; i < to; i++) {
            t.rawset(i - from + 1, LuaValue.valueOf(r.copy(i)));
        }
        return t;
    }

    private void run(LuaValue function, Varargs args, String name, String chunk, boolean refuseWrites, long now,
                     ReplyWriter out) {
        int mark = out.size();
        running = true;
        writesRefused = refuseWrites;
        this.now = now;
        hook.arm(registry.busyMillis);
        try {
            Varargs result = function.invoke(args);
            ScriptReplies.write(result.arg1(), out, resp3);
        } catch (ScriptHook.ScriptTimeout e) {
            out.truncate(mark);
            out.error("ERR Script killed: it ran longer than busy-reply-threshold (" + registry.busyMillis
                    + " ms); the writes it made before were kept script: " + name + ", on @" + hook.line(chunk) + ".");
        } catch (LuaError e) {
            out.truncate(mark);
            out.error(errorReply(e, hook.line(chunk)) + " script: " + name + ", on @" + hook.line(chunk) + ".");
        } catch (StackOverflowError e) {
            out.truncate(mark);
            out.error("ERR Error running script: stack overflow script: " + name + ", on @" + chunk + ":0.");
        } catch (OutOfMemoryError e) {
            // the script's own garbage (a string it doubled, a table it grew) is unreachable from here on
            out.truncate(mark);
            out.error("ERR Error running script: out of memory script: " + name + ", on @" + chunk + ":0.");
            log.warn("shard {}: script {} ran out of memory", shard.id, name);
        } catch (ScriptReplies.TooDeep e) {
            out.truncate(mark);
            out.error("ERR reached lua stack limit");
        } catch (ReplyWriter.TooLarge e) {
            throw e; // the shard's execute answers it
        } catch (RuntimeException e) {
            out.truncate(mark);
            out.error("ERR Error running script (an internal error, see the server's log): " + ScriptReplies.oneLine(e.toString()));
            log.error("shard {}: script {} failed in the bridge", shard.id, name, e);
        } finally {
            hook.disarm();
            running = false;
            resp3 = false;
            keys = LuaValue.NIL;
            argv = LuaValue.NIL;
        }
    }

    /**
     * Redis's text of a script's error: an error table's text as it is; any other error as
     * {@code ERR user_script:N: message}, N where it was raised ({@code line}: luaj gives no position
     * to an error raised by a tail call, as {@code return error('x')}).
     */
    private static String errorReply(LuaError e, String line) {
        String table = ScriptReplies.errorText(e.getMessageObject());
        if (table != null) {
            return ScriptReplies.oneLine(table);
        }
        if (e instanceof LuaArgs.Unplaced unplaced) {
            return ScriptReplies.oneLine("ERR " + unplaced.text);
        }
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        String chunk = line.substring(0, line.indexOf(':') + 1);
        if (message.startsWith("@" + chunk)) { // luaj's "@user_script:3 message"
            int space = message.indexOf(' ');
            message = space < 0 ? message.substring(1) : message.substring(1, space) + ": " + message.substring(space + 1);
        } else {
            message = line + ": " + message;
        }
        return ScriptReplies.oneLine("ERR " + message);
    }

    // ---- the debugger's commands (LuaDebugger, on its session's thread, the script stopped) ----

    /**
     * The debugger's {@code eval}: {@code code} compiled as an expression ({@code return code}), else
     * as statements, run in its own call frame; its first result (a LuaValue), or the error's text.
     */
    Object debugEval(String code) {
        LuaValue chunk;
        try {
            chunk = compile("return " + code);
        } catch (LuaError expression) {
            try {
                chunk = compile(code);
            } catch (LuaError e) {
                return compileMessage(e);
            }
        }
        try {
            return chunk.call();
        } catch (LuaError e) {
            String table = ScriptReplies.errorText(e.getMessageObject());
            return table != null ? table : runtimeMessage(e, hook.line("ldb_eval"));
        }
    }

    private LuaValue compile(String code) {
        return globals.load(new ByteArrayInputStream(code.getBytes(StandardCharsets.ISO_8859_1)), "@ldb_eval", "t", env);
    }

    /**
     * A runtime error's text as Lua 5.1 writes it: luaj's {@code "@ldb_eval:1 message"} as
     * {@code "ldb_eval:1: message"}; one luaj gives no position ({@code error('x')}) at {@code line}.
     */
    private static String runtimeMessage(LuaError e, String line) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        if (!message.startsWith("@")) {
            return line + ": " + message;
        }
        int space = message.indexOf(' ');
        return space < 0 ? message.substring(1) : message.substring(1, space) + ": " + message.substring(space + 1);
    }

    /** The debugger's {@code redis}: {@code redis.call} with these arguments; what it did is logged, its result dropped. */
    void debugRedis(byte[][] args) {
        LuaValue[] values = new LuaValue[args.length];
        for (int i = 0; i < args.length; i++) {
            values[i] = LuaValue.valueOf(args[i]);
        }
        try {
            call(LuaValue.varargsOf(values), true);
        } catch (LuaError e) {
            // logged as <error> or <reply> already, as Redis's debugger does
        }
    }

    /** The global {@code name} of the running script (the debugger prints KEYS and ARGV). */
    LuaValue global(String name) {
        return env.get(name);
    }

    /** This engine's instruction hook (the debugger reads the frames it keeps). */
    ScriptHook hook() {
        return hook;
    }

    // ---- redis.call ----

    private LuaValue call(Varargs args, boolean raise) {
        int count = args.narg();
        if (count == 0) {
            return fail("ERR Please specify at least one argument for this redis lib call", raise);
        }
        byte[][] parts = new byte[count][];
        int total = 0;
        for (int i = 0; i < count; i++) {
            LuaValue a = args.arg(i + 1);
            if (a.type() == LuaValue.TSTRING) {
                parts[i] = LuaArgs.bytes(a.checkstring());
            } else if (a.type() == LuaValue.TNUMBER) {
                parts[i] = luaNumber(a.todouble()).getBytes(StandardCharsets.US_ASCII);
            } else {
                return fail("ERR Lua redis lib command arguments must be strings or integers", raise);
            }
            total += parts[i].length;
        }
        if (debugger != null) {
            debugger.command(parts);
        }
        byte[] joined = new byte[total];
        request.reset(joined);
        for (int i = 0, at = 0; i < count; at += parts[i].length, i++) {
            System.arraycopy(parts[i], 0, joined, at, parts[i].length);
            request.add(at, parts[i].length);
        }
        Command command = Command.lookup(request);
        if (command == null) {
            return fail("ERR Unknown Redis command called from script", raise);
        }
        if (!command.arityOk(count) || command.pairsIncomplete(count)) {
            return fail("ERR Wrong number of args calling Redis command from script", raise);
        }
        if (java.util.Arrays.asList(command.flags).contains("noscript")) {
            return fail("ERR This Redis command is not allowed from script", raise);
        }
        String refused = aclRefusal(command);
        if (refused != null) {
            return fail(refused, raise);
        }
        if (command.writes && writesRefused) {
            return fail("ERR Write commands are not allowed from read-only scripts.", raise);
        }
        String readOnly = command.writes ? replicaRefusal() : null;
        if (readOnly != null) {
            return fail(readOnly, raise); // a read-only replica: as a client's write, unless the master runs it
        }
        inner.clear();
        inner.resp3(resp3);
        switch (command.kind) {
            case KEY, ONE_SHARD, MULTI_KEY, GATHER -> {
                for (int i : CommandKeys.indexes(command, request)) {
                    if (KeySlots.owner(request.bytes, request.offset(i), request.length(i), shards) != shard.id) {
                        return fail("ERR Script attempted to access a non local key in a cluster node", raise);
                    }
                }
                int slot = CommandStats.slot(command, request);
                if (slot >= 0) {
                    shard.calls[slot]++;
                }
                shard.execute(command, request, inner, now);
            }
            case CONNECTION -> {
                switch (command) {
                    case PING -> {
                        if (count == 1) {
                            inner.simple("PONG");
                        } else {
                            inner.bulk(request.bytes, request.offset(1), request.length(1));
                        }
                    }
                    case ECHO -> inner.bulk(request.bytes, request.offset(1), request.length(1));
                    case TIME -> {
                        java.time.Instant time = java.time.Instant.now();
                        inner.arrayHeader(2).bulkDecimal(time.getEpochSecond()).bulkDecimal(time.getNano() / 1000);
                    }
                    default -> {
                        return notSupported(command, raise);
                    }
                }
            }
            default -> {
                return notSupported(command, raise);
            }
        }
        if (debugger != null) {
            debugger.reply(inner.bytes(), inner.size());
        }
        LuaValue reply = ScriptReplies.toLua(inner.bytes(), inner.size());
        if (raise && ScriptReplies.errorText(reply) != null) {
            throw new LuaError(reply);
        }
        return reply;
    }

    /**
     * Redis's check of a {@code redis.call} against the ACL of the script's caller (the connection the
     * shard executes for, or whose transaction part it runs; none while the log is replayed): null when allowed, else Redis's error, after
     * an ACL LOG entry in context {@code lua}. The caller's {@code user} was set on its own shard before
     * this command was sent here: the mesh message that brought it orders that write before this read.
     */
    private String aclRefusal(Command command) {
        KvConnection caller = shard.executingFor != null ? shard.executingFor : shard.transactionFor;
        if (caller == null) {
            return null;
        }
        AclRules rules = caller.user.rules;
        long refused = rules.unrestricted ? AclSelector.OK : rules.check(command, request);
        if (refused == AclSelector.OK) {
            return null;
        }
        int reason = (int) (refused >>> 32);
        AclCommands.logRefusal(shard.node(), caller, reason, (int) refused, command, request, "lua");
        return switch (reason) {
            case AclSelector.DENIED_COMMAND -> "ERR The user executing the script can't run this command or subcommand";
            case AclSelector.DENIED_KEY -> "ERR The user executing the script can't access at least one of the keys"
                    + " mentioned in the command arguments";
            default -> "ERR The user executing the script can't publish to the channel mentioned in the command";
        };
    }

    private LuaValue notSupported(Command command, boolean raise) {
        return fail("ERR " + command.name() + " is not supported from scripts by this server (see docs/kv.md)", raise);
    }

    private LuaValue fail(String error, boolean raise) {
        if (debugger != null) {
            debugger.error(error);
        }
        LuaTable reply = ScriptReplies.error(error);
        if (raise) {
            throw new LuaError(reply);
        }
        return reply;
    }

    /** A Lua number as Lua 5.1 writes it (%.14g), the text a command argument gets. */
    static String luaNumber(double d) {
        return formatG(d, 14);
    }

    /** {@code d} as C's {@code %.<precision>g} writes it (precision at most 15). */
    static String formatG(double d, int precision) {
        if (d == (long) d && Math.abs(d) < Math.pow(10, precision)) {
            return Long.toString((long) d);
        }
        if (Double.isNaN(d)) {
            return d > 0 ? "nan" : "-nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        java.math.BigDecimal rounded = new java.math.BigDecimal(d).round(new java.math.MathContext(precision));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= precision) {
            String digits = rounded.unscaledValue().abs().toString().replaceAll("0+$", "");
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "")
                    + Math.abs(exponent);
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    // ---- compiling ----

    /** The compiled script (a LuaValue), or Redis's error text; fills {@code flags} from its shebang. */
    private Object compiled(String sha, String body, List<String> flags) {
        if (registry.scriptGeneration() != compiledGeneration) {
            compiled.clear(); // SCRIPT FLUSH: as Redis's new Lua state, cjson's configuration is the default again
            readOnly.remove(safe.rawget("cjson"));
            safe.rawset("cjson", protect(LuaCjson.library(), false));
            compiledGeneration = registry.scriptGeneration();
        }
        String source = body;
        if (ScriptRegistry.hasShebang(body)) {
            String error = ScriptRegistry.shebangFlags(body, flags);
            if (error != null) {
                return error;
            }
            source = "--" + body; // the shebang as a comment: line numbers stay
        }
        LuaValue function = compiled.get(sha);
        if (function != null) {
            return function;
        }
        try {
            function = globals.load(new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)), "@user_script", "t", env);
        } catch (LuaError e) {
            return "ERR Error compiling script (new function): " + compileMessage(e);
        }
        compiled.put(sha, function);
        return function;
    }

    private static String compileMessage(LuaError e) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        return ScriptReplies.oneLine(message.startsWith("@") ? message.substring(1) : message);
    }

    /** Compiles a script without running it (SCRIPT LOAD); Redis's error text, or null. */
    String check(String body) {
        Object compiledOrError = compiled(ScriptRegistry.sha1Hex(body.getBytes(StandardCharsets.UTF_8)), body, new ArrayList<>());
        return compiledOrError instanceof String error ? error : null;
    }

    /** The library of {@code code} (for the registry), or Redis's error text. */
    Object parseLibrary(String code) {
        Object loaded = load(code);
        return loaded instanceof Loaded l ? l.library() : loaded;
    }

    /** Runs a library's code here, collecting what it registers: a {@link Loaded}, or Redis's error text. */
    Object load(String code) {
        if (!code.startsWith("#!")) {
            return "ERR Missing library metadata";
        }
        int end = code.indexOf('\n');
        String[] words = (end < 0 ? code : code.substring(0, end)).substring(2).trim().split(" +");
        if (!words[0].equalsIgnoreCase("lua")) {
            return "ERR Engine '" + words[0] + "' not found";
        }
        String name = null;
        for (int i = 1; i < words.length; i++) {
            if (words[i].startsWith("name=")) {
                name = words[i].substring(5);
            } else {
                return "ERR Invalid metadata value given: " + words[i];
            }
        }
        if (name == null) {
            return "ERR Invalid library metadata";
        }
        if (!validName(name)) {
            return "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
        }
        LuaValue chunk;
        try {
            chunk = globals.load(new ByteArrayInputStream(("--" + code).getBytes(StandardCharsets.UTF_8)), "@user_function", "t", env);
        } catch (LuaError e) {
            return "ERR Error compiling function: " + compileMessage(e);
        }
        registering = new LinkedHashMap<>();
        registeringCallbacks = new HashMap<>();
        hook.arm(registry.busyMillis);
        try {
            chunk.call();
            if (registering.isEmpty()) {
                return "ERR No functions registered";
            }
            return new Loaded(new ScriptRegistry.Library(name, code, java.util.Collections.unmodifiableMap(registering)),
                    registeringCallbacks);
        } catch (ScriptHook.ScriptTimeout e) {
            return "ERR FUNCTION LOAD timeout: the library's code ran longer than busy-reply-threshold";
        } catch (LuaError e) {
            return "ERR Error registering functions: " + errorReply(e, hook.line("user_function"));
        } catch (StackOverflowError | RuntimeException e) {
            return "ERR Error registering functions: " + ScriptReplies.oneLine(e.toString());
        } finally {
            hook.disarm();
            registering = null;
            registeringCallbacks = null;
        }
    }

    /** Keeps {@code loaded}'s callbacks for FCALL here (the shard that loaded it needs not load it again). */
    void keep(Loaded loaded) {
        libraries.put(loaded.library(), loaded.callbacks());
    }

    private LuaValue registerFunction(Varargs args) {
        String name;
        LuaValue callback;
        List<String> flags = new ArrayList<>();
        String description = null;
        if (args.narg() == 1 && args.arg1().istable()) {
            LuaValue t = args.arg1();
            LuaValue n = t.get("function_name");
            callback = t.get("callback");
            LuaValue f = t.get("flags");
            LuaValue d = t.get("description");
            if (!n.isstring()) {
                throw new LuaError(ScriptReplies.error("ERR function_name argument given to redis.register_function must be a string"));
            }
            name = n.tojstring();
            if (d.isstring()) {
                description = d.tojstring();
            }
            if (f.istable()) {
                for (int i = 1; !f.get(i).isnil(); i++) {
                    String flag = f.get(i).tojstring();
                    if (!ScriptRegistry.SCRIPT_FLAGS.contains(flag)) {
                        throw new LuaError(ScriptReplies.error("ERR unknown flag given"));
                    }
                    flags.add(flag);
                }
            }
        } else if (args.narg() == 2) {
            if (!args.arg1().isstring()) {
                throw new LuaError(ScriptReplies.error("ERR first argument to redis.register_function must be a string"));
            }
            name = args.arg1().tojstring();
            callback = args.arg(2);
        } else {
            throw new LuaError(ScriptReplies.error("ERR wrong number of arguments to redis.register_function"));
        }
        if (!(callback instanceof LuaFunction)) {
            throw new LuaError(ScriptReplies.error("ERR callback argument given to redis.register_function must be a function"));
        }
        if (!validName(name)) {
            throw new LuaError(ScriptReplies.error("ERR Function names can only contain letters, numbers, or underscores(_) and must be at least one character long"));
        }
        if (registering.containsKey(name)) {
            throw new LuaError(ScriptReplies.error("ERR Function already exists in the library"));
        }
        registering.put(name, new ScriptRegistry.Function(name, List.copyOf(flags), description));
        registeringCallbacks.put(name, callback);
        return LuaValue.NIL;
    }

    private static boolean validName(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c == '_' || c < 128 && Character.isLetterOrDigit(c));
    }
}
