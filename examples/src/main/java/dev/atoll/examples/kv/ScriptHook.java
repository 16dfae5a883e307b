package dev.atoll.examples.kv;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * A shard's Lua instruction hook ({@link ScriptEngine}): luaj calls a DebugLib before every
 * instruction of a function whose environment is a Globals that has one. This one bounds a script's
 * time (it looks at the clock every {@link #CHECK_EVERY} instructions while armed and throws
 * {@link ScriptTimeout}) and keeps where the last instruction was, for the line of an error (luaj
 * gives none to an error raised by a tail call); it exposes no debug library. In a debugging session
 * ({@link LuaDebugger}) it also keeps each frame's registers and pc, tells the debugger of each new
 * line (Lua's line hook: a new line, a jump back, a function's first instruction), and bounds no time
 * (the debugger stops a script that runs too long instead).
 */
final class ScriptHook extends DebugLib {
    /** How many Lua instructions run between two looks at the clock. */
    private static final int CHECK_EVERY = 4096;

    /** Thrown by the hook when a script ran too long: an Error, so that a pcall in the script cannot catch it. */
    static final class ScriptTimeout extends Error {
        ScriptTimeout() {
            super("script timed out", null, false, false);
        }
    }

    private boolean armed;
    private long deadline;
    private int countdown = CHECK_EVERY;
    /** The functions running (null: a Java one, as pcall), and the last instruction executed: for errors' lines. */
    private Prototype[] frames = new Prototype[32];
    /** Each frame's registers, pc and line (read by the debugger only). */
    private LuaValue[][] stacks = new LuaValue[32][];
    private int[] pcs = new int[32];
    private int[] lines = new int[32];
    private int depth;
    /** The debugging session told of each line, or null (a shard's engine). */
    private LuaDebugger debugger;
    private Prototype lastFunction;
    private int lastPc;

    /** Makes this the hook of a debugging session: lines go to {@code session}, no time limit. */
    void debugger(LuaDebugger session) {
        this.debugger = session;
    }

    /** How many frames run now (Lua and Java). */
    int depth() {
        return depth;
    }

    /** The function of frame {@code level} (0: the innermost), null for a Java function. */
    Prototype function(int level) {
        return frames[depth - 1 - level];
    }

    /** The registers of frame {@code level} (0: the innermost). */
    LuaValue[] registers(int level) {
        return stacks[depth - 1 - level];
    }

    /** The pc of frame {@code level} (0: the innermost): the instruction it runs now, or the call it is in. */
    int pc(int level) {
        return pcs[depth - 1 - level];
    }

    void arm(long millis) {
        armed = true;
        deadline = System.nanoTime() + millis * 1_000_000L;
        depth = 0;
        lastFunction = null;
    }

    /** Where the last instruction executed is, as "user_script:3"; the chunk's line 0 when none ran. */
    String line(String chunk) {
        Prototype p = lastFunction;
        if (p == null || p.lineinfo == null || lastPc < 0 || lastPc >= p.lineinfo.length) {
            return chunk + ":0";
        }
        String source = p.source == null ? chunk : p.source.tojstring();
        return (source.startsWith("@") ? source.substring(1) : source) + ":" + p.lineinfo[lastPc];
    }

    private void push(Prototype p, LuaValue[] stack) {
        if (depth == frames.length) {
            frames = java.util.Arrays.copyOf(frames, depth * 2);
            stacks = java.util.Arrays.copyOf(stacks, depth * 2);
            pcs = java.util.Arrays.copyOf(pcs, depth * 2);
            lines = java.util.Arrays.copyOf(lines, depth * 2);
        }
        stacks[depth] = stack;
        pcs[depth] = -1;
        frames[depth++] = p;
    }

    void disarm() {
        armed = false;
        java.util.Arrays.fill(stacks, null); // frames an error unwound: their values must not outlive the script
    }

    @Override
    public LuaValue call(LuaValue name, LuaValue env) {
        LuaValue table = super.call(name, env);
        env.set("debug", LuaValue.NIL); // installed for the hook only
        return table;
    }

    @Override
    public void onCall(LuaFunction f) {
        push(null, null);
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        push(c.p, stack);
    }

    @Override
    public void onReturn() {
        if (depth > 0) {
            stacks[--depth] = null; // a returned frame's values are garbage now
        }
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        lastFunction = depth > 0 ? frames[depth - 1] : null;
        lastPc = pc;
        if (debugger != null) {
            line(pc);
            return;
        }
        if (--countdown <= 0) {
            countdown = CHECK_EVERY;
            if (armed && System.nanoTime() - deadline > 0) {
                throw new ScriptTimeout();
            }
        }
    }

    /** Lua's line hook for the debugger: the first instruction of a call, a new line, or a jump back. */
    private void line(int pc) {
        int f = depth - 1;
        Prototype p = f >= 0 ? frames[f] : null;
        if (p == null) {
            return;
        }
        int line = p.lineinfo != null && pc < p.lineinfo.length ? p.lineinfo[pc] : 0;
        boolean fresh = pc == 0 || pc <= pcs[f] || line != lines[f];
        pcs[f] = pc;
        lines[f] = line;
        if (fresh) {
            debugger.line(p, line);
        }
    }

    @Override
    public String traceback(int level) {
        return ""; // no stack kept; Redis's errors carry none
    }
}
