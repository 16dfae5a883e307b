package dev.atoll.examples.kv;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One Lua debugging session (Redis's LDB, {@code SCRIPT DEBUG YES}, {@code redis-cli --ldb}): the EVAL
 * of a connection in debug mode runs here, on a virtual thread of its own, against a private copy of
 * the keys it declares, so that its shard never waits for the person at the prompt and nothing the
 * script does reaches the data (Redis's forked session, whose changes are rolled back).
 *
 * <p>The connection ({@link KvConnection}, on its shard's thread) hands every command it parses to
 * {@link #offer}; this thread answers through the runtime's queue for outside threads
 * ({@code ShardRuntime.execute}, FIFO per target), each answer one multi-bulk of status lines as
 * Redis writes them, and at the end {@code <endsession>}, the EVAL's reply and the connection's close.
 * The script stops before its first line, then at a step, a breakpoint, {@code redis.breakpoint()} or
 * after {@code busy-reply-threshold} of running without a stop; the session ends with the script,
 * {@code abort}, or the client's close ({@link #cancel}: the script is unwound by {@link Gone}, which a
 * {@code pcall} cannot catch, and the thread ends).
 */
final class LuaDebugger implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LuaDebugger.class);
    /** Commands the client may send ahead of the script's next stop; past that the session ends. */
    private static final int MAX_QUEUED = 1024;
    private static final int MAX_BREAKPOINTS = 64;
    private static final int DEFAULT_MAXLEN = 256;
    /** Line events between two looks at the clock while the script runs without a stop. */
    private static final int CLOCK_EVERY = 1024;
    private static final String[] HELP = {
        "Redis Lua debugger help:",
        "[h]elp               Show this help.",
        "[s]tep               Run current line and stop again.",
        "[n]ext               Alias for step.",
        "[c]ontinue           Run till next breakpoint.",
        "[l]ist               List source code around current line.",
        "[l]ist [line]        List source code around [line].",
        "                     line = 0 means: current position.",
        "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
        "                     to show before/after [line].",
        "[w]hole              List all source code. Alias for 'list 1 1000000'.",
        "[p]rint              Show all the local variables.",
        "[p]rint <var>        Show the value of the specified variable.",
        "                     Can also show global vars KEYS and ARGV.",
        "[b]reak              Show all breakpoints.",
        "[b]reak <line>       Add a breakpoint to the specified line.",
        "[b]reak -<line>      Remove breakpoint from the specified line.",
        "[b]reak 0            Remove all breakpoints.",
        "[t]race              Show a backtrace.",
        "[e]val <code>        Execute some Lua code (in a different callframe).",
        "[r]edis <cmd>        Execute a Redis command.",
        "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
        "                     Specifying zero as <len> means unlimited.",
        "[a]bort              Stop the execution of the script. In sync",
        "                     mode dataset changes will be retained.",
        "",
        "Debugger functions you can call from Lua scripts:",
        "redis.debug()        Produce logs in the debugger console.",
        "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
        "                     next line of code.",
    };

    /** Sessions whose thread runs, in this process (a test sees a closed client's thread end). */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING = new java.util.concurrent.atomic.AtomicInteger();

    /** The client went away (or the server stops): unwinds the script; an Error, so no pcall catches it. */
    static final class Gone extends Error {
        Gone() {
            super("the debugging client is gone", null, false, false);
        }
    }

    private final KvNode node;
    private final KvConnection connection;
    /** The connection's shard (where answers go) and the shard that owns the script's keys. */
    private final int home;
    private final int owner;
    private final Command command;
    private final byte[][] eval;
    private final boolean resp3;
    /** Commands from the connection's shard to this thread (a blocking queue: its own memory ordering). */
    private final LinkedBlockingQueue<byte[][]> commands = new LinkedBlockingQueue<>(MAX_QUEUED);
    /** Set by the connection's shard when the client is gone, read here at each line and wait (volatile). */
    private volatile boolean gone;
    /** Written before the thread starts, read by {@link #cancel} on the connection's shard. */
    private volatile Thread thread;

    // The session thread's own state.
    private final List<String> logs = new ArrayList<>();
    private String[] source = new String[0];
    private ScriptEngine engine;
    private boolean step = true;
    private boolean luaBreakpoint;
    private final List<Integer> breakpoints = new ArrayList<>();
    private int maxlen = DEFAULT_MAXLEN;
    private boolean maxlenHintSent;
    private int currentLine;
    private long runningSince;
    private int lineEvents;

    LuaDebugger(KvNode node, KvConnection connection, int home, int owner, Command command, Request r, boolean resp3) {
        this.node = node;
        this.connection = connection;
        this.home = home;
        this.owner = owner;
        this.command = command;
        this.eval = new byte[r.count()][];
        for (int i = 0; i < eval.length; i++) {
            eval[i] = r.copy(i);
        }
        this.resp3 = resp3;
    }

    /** Starts the session's thread; on the connection's shard. */
    void start() {
        Thread t = Thread.ofVirtual().name("kv-ldb-" + connection.id).unstarted(this);
        thread = t;
        RUNNING.incrementAndGet();
        t.start();
    }

    /** How many sessions' threads run now in this process. */
    static int running() {
        return RUNNING.get();
    }

    /**
     * A command the client sent; on the connection's shard. False when {@link #MAX_QUEUED} wait already
     * (the script runs and the client keeps sending): the connection then cancels the session and closes.
     */
    boolean offer(Request r) {
        byte[][] args = new byte[r.count()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = r.copy(i);
        }
        if (commands.offer(args)) {
            return true;
        }
        log.warn("client id={}: {} debugger commands wait for the script: the connection closes", connection.id, MAX_QUEUED);
        return false;
    }

    /** The client is gone: the script unwinds at its next line or wait, and the thread ends. Any thread. */
    void cancel() {
        gone = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        try {
            session();
        } finally {
            RUNNING.decrementAndGet();
        }
    }

    private void session() {
        ReplyWriter reply = new ReplyWriter(256);
        reply.resp3(resp3);
        try {
            Request r = request(eval);
            long now = System.currentTimeMillis();
            KvShard copy = copyOfKeys(r, now);
            source = lines(eval[1]);
            engine = new ScriptEngine(copy, node.scripts, node.shardCount(), this);
            runningSince = System.nanoTime();
            engine.eval(command, r, now, reply);
        } catch (Gone e) {
            return; // nobody to answer
        } catch (InterruptedException e) {
            return; // cancelled while the keys were copied
        } catch (Throwable e) { // a defect here ends this session only
            if (gone) {
                return;
            }
            log.error("client id={}: the Lua debugging session failed", connection.id, e);
            reply.clear();
            reply.error("ERR the Lua debugging session failed (see the server's log): " + ScriptReplies.oneLine(e.toString()));
        }
        log("<endsession>");
        sendLogs();
        byte[] last = java.util.Arrays.copyOf(reply.bytes(), reply.size());
        send(last, true);
    }

    // ---- the private copy ----

    /**
     * A shard of no server holding a copy of the script's declared keys, as their owner has them now
     * (each value by its DUMP payload and its expiry, read on the owner's thread, restored here).
     */
    private KvShard copyOfKeys(Request r, long now) throws Exception {
        KvShard copy = new KvShard(owner, new KeyTable(), node.settings, node.shardCount());
        int numKeys = r.longAt(2) && r.number >= 0 && r.number <= r.count() - 3 ? (int) r.number : 0;
        byte[][] keys = new byte[numKeys][];
        for (int i = 0; i < numKeys; i++) {
            keys[i] = eval[3 + i];
        }
        KvShard source = node.shards[owner];
        List<byte[][]> restores = node.runtime.submit(owner, () -> {
            List<byte[][]> found = new ArrayList<>();
            long at = System.currentTimeMillis();
            for (byte[] key : keys) {
                KeyTable.Entry e = source.peek(key, 0, key.length, at);
                if (e != null) {
                    found.add(new byte[][] {ascii("RESTORE"), key, ascii(Long.toString(source.table.expireAt(e))),
                            DumpPayload.dump(e, false), ascii("REPLACE"), ascii("ABSTTL")}); // a copy in memory: not compressed
                }
            }
            return found;
        }).get();
        ReplyWriter ignored = new ReplyWriter(64);
        for (byte[][] restore : restores) {
            copy.execute(Command.RESTORE, request(restore), ignored, now);
        }
        return copy;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Request request(byte[][] args) {
        int total = 0;
        for (byte[] a : args) {
            total += a.length;
        }
        byte[] joined = new byte[total];
        Request r = new Request();
        r.reset(joined);
        for (int i = 0, at = 0; i < args.length; at += args[i].length, i++) {
            System.arraycopy(args[i], 0, joined, at, args[i].length);
            r.add(at, args[i].length);
        }
        return r;
    }

    /** The script's lines as Redis splits them: trailing newlines cut, then split at each {@code \n}. */
    private static String[] lines(byte[] script) {
        String text = new String(script, StandardCharsets.ISO_8859_1);
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return end == 0 ? new String[0] : text.substring(0, end).split("\n", -1);
    }

    // ---- from the script (ScriptEngine, ScriptHook), on this thread ----

    /** Lua's line hook: stops at a step, a breakpoint, redis.breakpoint(), or when it ran too long. */
    void line(Prototype function, int line) {
        if (gone) {
            throw new Gone();
        }
        if (!userScript(function)) {
            return; // eval's code, a library's function
        }
        currentLine = line;
        boolean breakpoint = breakpoints.contains(line) || luaBreakpoint;
        boolean timeout = false;
        if (!step && !breakpoint) {
            if (++lineEvents % CLOCK_EVERY != 0 || System.nanoTime() - runningSince < node.scripts.busyMillis * 1_000_000L) {
                return;
            }
            timeout = true;
        }
        String reason = breakpoint ? (luaBreakpoint ? "redis.breakpoint() called" : "break point")
                : timeout ? "timeout reached, infinite loop?" : "step over";
        step = false;
        luaBreakpoint = false;
        log("* Stopped at " + line + ", stop reason = " + reason);
        logSourceLine(line);
        sendLogs();
        repl();
        runningSince = System.nanoTime();
    }

    private static boolean userScript(Prototype p) {
        return p.source != null && p.source.tojstring().contains("user_script");
    }

    /** redis.breakpoint(): the script stops at its next line. */
    boolean breakpoint() {
        luaBreakpoint = true;
        return true;
    }

    /** redis.debug(...): a {@code <debug>} line for the client. */
    void debug(Varargs args) {
        StringBuilder s = new StringBuilder("<debug> line ").append(currentLine).append(": ");
        for (int i = 1; i <= args.narg(); i++) {
            LuaDebugText.value(s, args.arg(i), 0);
            if (i < args.narg()) {
                s.append(", ");
            }
        }
        log(s.toString());
    }

    /** A redis.call about to run: logged while stepping. */
    void command(byte[][] args) {
        if (!step) {
            return;
        }
        StringBuilder s = new StringBuilder("<redis>");
        for (int j = 0; j < args.length; j++) {
            if (j == 10) {
                s.append(" ... (").append(args.length - j - 1).append(" more)"); // Redis's count, one short
                break;
            }
            s.append(' ').append(new String(args[j], StandardCharsets.ISO_8859_1));
        }
        log(s.toString());
    }

    /** A redis.call's reply (RESP): logged while stepping, as Redis shows it. */
    void reply(byte[] bytes, int size) {
        if (step) {
            StringBuilder s = new StringBuilder("<reply> ");
            LuaDebugText.reply(s, bytes, size);
            logTrimmed(s.toString());
        }
    }

    /** A redis.call refused before it ran: logged while stepping. */
    void error(String error) {
        if (step) {
            log("<error> " + (error.startsWith("ERR ") ? error.substring(4) : error));
        }
    }

    // ---- the prompt ----

    private byte[][] next() {
        try {
            byte[][] args = commands.take();
            if (gone) {
                throw new Gone();
            }
            return args;
        } catch (InterruptedException e) {
            throw new Gone();
        }
    }

    private void repl() {
        while (true) {
            byte[][] argv = next();
            String name = new String(argv[0], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            switch (name) {
                case "h", "help" -> {
                    for (String line : HELP) {
                        log(line);
                    }
                }
                case "s", "step", "n", "next" -> {
                    step = true;
                    return;
                }
                case "c", "continue" -> {
                    return;
                }
                case "t", "trace" -> trace();
                case "m", "maxlen" -> maxlen(argv);
                case "b", "break" -> breaks(argv);
                case "e", "eval" -> eval(argv);
                case "a", "abort" -> throw new LuaError(ScriptReplies.error("ERR script aborted for user request"));
                case "r", "redis" -> {
                    if (argv.length > 1) {
                        step = true; // what it does is logged
                        engine.debugRedis(java.util.Arrays.copyOfRange(argv, 1, argv.length));
                        step = false;
                    } else {
                        log("<error> Unknown Redis Lua debugger command or wrong number of arguments.");
                    }
                }
                case "p", "print" -> {
                    if (argv.length == 2) {
                        print(text(argv[1]));
                    } else {
                        printAll();
                    }
                }
                case "l", "list" -> {
                    int around = currentLine;
                    int context = 5;
                    if (argv.length > 1) {
                        int n = atoi(argv[1]);
                        if (n > 0) {
                            around = n;
                        }
                    }
                    if (argv.length > 2) {
                        context = atoi(argv[2]);
                    }
                    list(around, context);
                }
                case "w", "whole" -> list(1, 1000000);
                default -> log("<error> Unknown Redis Lua debugger command or wrong number of arguments.");
            }
            sendLogs();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** C's atoi: the leading integer, 0 when none. */
    private static int atoi(byte[] b) {
        String s = text(b).stripLeading();
        int end = 0;
        if (end < s.length() && (s.charAt(end) == '-' || s.charAt(end) == '+')) {
            end++;
        }
        while (end < s.length() && Character.isDigit(s.charAt(end)) && end < 11) {
            end++;
        }
        try {
            return (int) Long.parseLong(s.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void maxlen(byte[][] argv) {
        if (argv.length == 2) {
            int value = atoi(argv[1]);
            maxlenHintSent = true;
            maxlen = value != 0 && value <= 60 ? 60 : value;
        }
        log(maxlen != 0 ? "<value> replies are truncated at " + maxlen + " bytes." : "<value> replies are unlimited.");
    }

    private void breaks(byte[][] argv) {
        if (argv.length == 1) {
            if (breakpoints.isEmpty()) {
                log("No breakpoints set. Use 'b <line>' to add one.");
            } else {
                log(breakpoints.size() + " breakpoints set:");
                for (int line : breakpoints) {
                    logSourceLine(line);
                }
            }
            return;
        }
        for (int j = 1; j < argv.length; j++) {
            long line;
            try {
                line = Long.parseLong(text(argv[j]));
            } catch (NumberFormatException e) {
                log("Invalid argument:'" + text(argv[j]) + "'");
                continue;
            }
            if (line == 0) {
                breakpoints.clear();
                log("All breakpoints removed.");
            } else if (line > 0) {
                if (breakpoints.size() == MAX_BREAKPOINTS) {
                    log("Too many breakpoints set.");
                } else if (line <= source.length && !breakpoints.contains((int) line)) {
                    breakpoints.add((int) line);
                    list((int) line, 1);
                } else {
                    log("Wrong line number.");
                }
            } else if (breakpoints.remove(Integer.valueOf((int) -line))) {
                log("Breakpoint removed.");
            } else {
                log("No breakpoint in the specified line.");
            }
        }
    }

    private void eval(byte[][] argv) {
        StringBuilder code = new StringBuilder();
        for (int j = 1; j < argv.length; j++) {
            code.append(j > 1 ? " " : "").append(text(argv[j]));
        }
        Object result = engine.debugEval(code.toString());
        if (result instanceof LuaValue value) {
            logValue("<retval> ", value);
        } else {
            log("<error> " + result);
        }
    }

    private void printAll() {
        ScriptHook hook = engine.hook();
        int vars = 0;
        Prototype p = hook.depth() > 0 ? hook.function(0) : null;
        if (p != null) {
            LuaValue[] registers = hook.registers(0);
            int pc = Math.max(0, hook.pc(0));
            for (int n = 1; p.getlocalname(n, pc) != null; n++) {
                logValue("<value> " + p.getlocalname(n, pc).tojstring() + " = ", registers[n - 1]);
                vars++;
            }
        }
        if (vars == 0) {
            log("No local variables in the current context.");
        }
    }

    private void print(String name) {
        ScriptHook hook = engine.hook();
        for (int level = 0; level < hook.depth(); level++) {
            Prototype p = hook.function(level);
            if (p == null) {
                continue;
            }
            int pc = Math.max(0, hook.pc(level));
            for (int n = 1; p.getlocalname(n, pc) != null; n++) {
                if (p.getlocalname(n, pc).tojstring().equals(name)) {
                    logValue("<value> ", hook.registers(level)[n - 1]);
                    return;
                }
            }
        }
        if (name.equals("ARGV") || name.equals("KEYS")) {
            logValue("<value> ", engine.global(name));
        } else {
            log("No such variable.");
        }
    }

    private void trace() {
        ScriptHook hook = engine.hook();
        int shown = 0;
        for (int level = 0; level < hook.depth(); level++) {
            Prototype p = hook.function(level);
            if (p == null || !userScript(p)) {
                continue;
            }
            int pc = Math.max(0, hook.pc(level));
            String name = level + 1 < hook.depth() ? calledAs(hook.function(level + 1), hook.pc(level + 1)) : null;
            log((shown == 0 ? "In " : "From ") + (name != null ? name : "top level") + ":");
            logSourceLine(p.lineinfo != null && pc < p.lineinfo.length ? p.lineinfo[pc] : 0);
            shown++;
        }
        if (shown == 0) {
            log("<error> Can't retrieve Lua stack.");
        }
    }

    /**
     * The name a function was called by, as Lua's getfuncname finds it: the caller's CALL instruction
     * at {@code pc}, and the last instruction before it that loaded the called register (a local, a
     * global, an upvalue, a field or method with a constant name); null when none says.
     */
    private static String calledAs(Prototype caller, int pc) {
        if (caller == null || pc < 0 || pc >= caller.code.length) {
            return null;
        }
        int call = caller.code[pc];
        int op = Lua.GET_OPCODE(call);
        if (op != Lua.OP_CALL && op != Lua.OP_TAILCALL) {
            return null;
        }
        int register = Lua.GETARG_A(call);
        for (int at = pc - 1; at >= 0; at--) {
            int i = caller.code[at];
            if (Lua.GETARG_A(i) != register) {
                continue;
            }
            switch (Lua.GET_OPCODE(i)) {
                case Lua.OP_MOVE -> {
                    LuaValue local = caller.getlocalname(Lua.GETARG_B(i) + 1, at);
                    return local == null ? null : local.tojstring();
                }
                case Lua.OP_GETTABUP, Lua.OP_GETTABLE, Lua.OP_SELF -> {
                    int key = Lua.GETARG_C(i);
                    return Lua.ISK(key) && caller.k[Lua.INDEXK(key)].isstring() ? caller.k[Lua.INDEXK(key)].tojstring() : null;
                }
                case Lua.OP_GETUPVAL -> {
                    int b = Lua.GETARG_B(i);
                    return b < caller.upvalues.length && caller.upvalues[b].name != null ? caller.upvalues[b].name.tojstring() : null;
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }

    private void list(int around, int context) {
        for (int j = 1; j <= source.length; j++) {
            if (around != 0 && Math.abs(around - j) > context) {
                continue;
            }
            logSourceLine(j);
        }
    }

    private void logSourceLine(int line) {
        String text = line >= 1 && line <= source.length ? source[line - 1] : "<out of range source code line>";
        boolean breakpoint = breakpoints.contains(line);
        String prefix = currentLine == line ? (breakpoint ? "->#" : "-> ") : breakpoint ? "  #" : "   ";
        log(String.format("%s%-3d %s", prefix, line, text));
    }

    // ---- values as Redis's debugger writes them ----

    private void logValue(String prefix, LuaValue value) {
        StringBuilder s = new StringBuilder(prefix);
        LuaDebugText.value(s, value, 0);
        logTrimmed(s.toString());
    }

    // ---- the log and the client ----

    private void log(String entry) {
        logs.add(entry);
    }

    private void logTrimmed(String entry) {
        if (maxlen != 0 && entry.length() > maxlen) {
            log(entry.substring(0, maxlen) + " ...");
            if (!maxlenHintSent) {
                maxlenHintSent = true;
                log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
            }
        } else {
            log(entry);
        }
    }

    /** The lines logged so far as one multi-bulk of status replies (CR and LF as spaces), to the client. */
    private void sendLogs() {
        StringBuilder s = new StringBuilder().append('*').append(logs.size()).append("\r\n");
        for (String entry : logs) {
            s.append('+').append(entry.replace('\r', ' ').replace('\n', ' ')).append("\r\n");
        }
        logs.clear();
        send(s.toString().getBytes(StandardCharsets.ISO_8859_1), false);
    }

    private void send(byte[] bytes, boolean last) {
        if (!node.runtime.execute(home, () -> connection.debugOutput(this, bytes, last))) {
            gone = true; // the server stops
        }
    }
}
