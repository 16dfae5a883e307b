package dev.atoll.examples.kv;

import java.util.List;

/**
 * The scripts' {@code bit} (LuaBitOp as Redis bundles it) against what redis-server 7.0.15 answered
 * ({@code kv/lua-bit-replies.txt}), on 1 and 2 shards, RESP2 and RESP3: each function, LuaBitOp's
 * conversion of numbers to 32 bits, tohex's widths and case, argument errors; then the four
 * libraries called from a FUNCTION library, read-only there too.
 */
class KvLuaBitTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/lua-bit-replies.txt", List.of(
                eval("return bit.tohex(65535)"),
                eval("return bit.tohex(-1, -4)"),
                eval("return bit.tohex(255, 2)"),
                eval("return bit.tohex(255, 20)"),
                eval("return bit.tohex(1, nil)"),
                eval("return bit.tobit(0xffffffff)"),
                eval("return bit.tobit(2^32 + 5)"),
                eval("return bit.tobit(1.5)"),
                eval("return bit.tobit(2.5)"),
                eval("return bit.tobit(-1.5)"),
                eval("return bit.tobit('12')"),
                eval("return bit.band('x')"),
                eval("return bit.band()"),
                eval("return bit.band(7, 3, 2)"),
                eval("return bit.bor(1, 2, 4, 8)"),
                eval("return bit.bxor(5, 3)"),
                eval("return bit.bnot(0)"),
                eval("return bit.lshift(1, 31)"),
                eval("return bit.lshift(1, 33)"),
                eval("return bit.rshift(-1, 28)"),
                eval("return bit.arshift(-256, 4)"),
                eval("return bit.rol(0x12345678, 4)"),
                eval("return bit.ror(0x12345678, 4)"),
                eval("return bit.bswap(0x12345678)"),
                eval("return bit.tobit(1e300)"),
                eval("return bit.tobit({})"),
                eval("return bit.lshift(1)"),
                eval("return bit.tohex(0x1234abcd, -8)"),
                eval("bit.band = nil"),
                eval("return type(bit.tohex)"),
                step("FUNCTION", "LOAD", "#!lua name=libs\nredis.register_function('libs_all', function(keys, args) return {cjson.encode({args[1]}), bit.tohex(tonumber(args[2])), struct.size('>ihd'), #cmsgpack.pack(args)} end)\nredis.register_function('libs_write', function() cjson.encode = nil end)\n"),
                step("FCALL", "libs_all", "0", "a", "255"),
                step("FCALL", "libs_write", "0"),
                step("FUNCTION", "DELETE", "libs")));

    @Override
    RecordedScript script() {
        return SCRIPT;
    }
}
