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
 * gives none to an error raised by a tail call); it exposes no debug library.
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
    private int depth;
    private Prototype lastFunction;
    private int lastPc;

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

    private void push(Prototype p) {
        if (depth == frames.length) {
            frames = java.util.Arrays.copyOf(frames, depth * 2);
        }
        frames[depth++] = p;
    }

    void disarm() {
        armed = false;
    }

    @Override
    public LuaValue call(LuaValue name, LuaValue env) {
        LuaValue table = super.call(name, env);
        env.set("debug", LuaValue.NIL); // installed for the hook only
        return table;
    }

    @Override
    public void onCall(LuaFunction f) {
        push(null);
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        push(c.p);
    }

    @Override
    public void onReturn() {
        if (depth > 0) {
            depth--;
        }
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        lastFunction = depth > 0 ? frames[depth - 1] : null;
        lastPc = pc;
        if (--countdown <= 0) {
            countdown = CHECK_EVERY;
            if (armed && System.nanoTime() - deadline > 0) {
                throw new ScriptTimeout();
            }
        }
    }

    @Override
    public String traceback(int level) {
        return ""; // no stack kept; Redis's errors carry none
    }
}
