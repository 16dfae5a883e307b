package dev.atoll.examples.kv;

import java.util.List;

/**
 * The scripts' {@code cmsgpack} (lua-cmsgpack 0.4.0 as Redis bundles it) against what redis-server
 * 7.0.15 answered ({@code kv/lua-cmsgpack-replies.txt}), on 1 and 2 shards, RESP2 and RESP3: pack's
 * bytes (as hex) for integers at every encoding's edge, floats against doubles, strings and tables
 * (array or map, 16/32-bit headers, nesting cut at 16 levels, unpackable values as nil), several
 * arguments; unpack, unpack_one and unpack_limit with their offsets and every error, the 7999 values
 * one unpack returns at most (C Lua's stack).
 */
class KvLuaCmsgpackTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/lua-cmsgpack-replies.txt", List.of(
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(cmsgpack.pack(1.5, 0.1, -0.25, 1e300, 2^63, -2^63, 2^64, 1/0, -1/0, 0/0, 3.4028234663852886e38))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(cmsgpack.pack('', 'abc', string.rep('x', 31), string.rep('y', 32)))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(cmsgpack.pack(string.rep('z', 300)):sub(1, 10)) .. #cmsgpack.pack(string.rep('z', 70000))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(cmsgpack.pack({}, {1,2,3}, {a=1}, {[1]=1,[3]=3}, {[0]=1}, {[1.5]=1}, true, false, nil, function() end, cjson.null))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end local t = {} for i=1,20 do t[i]=i end return hex(cmsgpack.pack(t))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end local t = {} for i=1,70000 do t[i]=0 end return hex(cmsgpack.pack(t):sub(1,6))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end local t = {} t[1] = t return hex(cmsgpack.pack(t))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end local t = {} for i=1,20 do t['k'] = i end return hex(cmsgpack.pack({x={y={z={}}}}))"),
                eval("return cmsgpack.pack()"),
                eval("return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, 3.5))}"),
                eval("return cmsgpack.unpack(cmsgpack.pack({1,{2,{3}}}))[2][2][1]"),
                eval("return cmsgpack.unpack(cmsgpack.pack({a={b='c'}})).a.b"),
                eval("return {cmsgpack.unpack('')}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 2)}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0, 1)}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -1)}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))}"),
                eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 'x')}"),
                eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 'x')}"),
                eval("return {cmsgpack.unpack()}"),
                eval("return {cmsgpack.unpack({})}"),
                eval("return {cmsgpack.unpack('\\196\\1a')}"),
                eval("return {cmsgpack.unpack('\\193')}"),
                eval("return {cmsgpack.unpack('\\205\\1')}"),
                eval("return {cmsgpack.unpack('\\147\\1\\2')}"),
                eval("return {cmsgpack.unpack('\\165abc')}"),
                eval("return {cmsgpack.unpack('\\129\\192\\1')}"),
                eval("return {cmsgpack.unpack('\\147\\1\\192\\3')}"),
                eval("return {cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')}"),
                eval("return {cmsgpack.unpack('\\207\\127\\255\\255\\255\\255\\255\\255\\255')}"),
                eval("return {cmsgpack.unpack('\\211\\255\\255\\255\\255\\255\\255\\255\\254')}"),
                eval("return {cmsgpack.unpack('\\210\\255\\255\\255\\254', '\\209\\255\\254', '\\208\\254', '\\254')}"),
                eval("return {cmsgpack.unpack('\\210\\255\\255\\255\\254\\209\\255\\254\\208\\254\\254\\204\\200\\205\\1\\0\\206\\0\\1\\0\\0')}"),
                eval("return tostring(cmsgpack.unpack('\\202\\63\\192\\0\\0')) .. tostring(cmsgpack.unpack('\\203\\63\\248\\0\\0\\0\\0\\0\\0'))"),
                eval("return {cmsgpack.unpack('\\217\\3abc\\218\\0\\2de\\219\\0\\0\\0\\1f')}"),
                eval("return {cmsgpack.unpack('\\220\\0\\2\\1\\2')}"),
                eval("return {cmsgpack.unpack('\\221\\0\\0\\0\\1\\7')[1]}"),
                eval("return cmsgpack.unpack('\\222\\0\\1\\161a\\1').a"),
                eval("return cmsgpack.unpack('\\223\\0\\0\\0\\1\\161a\\2').a"),
                eval("return {cmsgpack.unpack('\\217')}"),
                eval("return {cmsgpack.unpack('\\217\\5ab')}"),
                eval("return {cmsgpack.unpack(12)}"),
                eval("return cmsgpack._NAME .. cmsgpack._VERSION .. cmsgpack._COPYRIGHT .. cmsgpack._DESCRIPTION"),
                eval("cmsgpack.pack = nil"),
                eval("return cmsgpack.unpack(cmsgpack.pack({a=1, b=2})).b"),
                eval("local t = {cmsgpack.unpack(string.rep('\\1', 7999))} return #t"),
                eval("local ok, e = pcall(cmsgpack.unpack, string.rep('\\1', 8000)) return e"),
                eval("local ok, e = pcall(cmsgpack.unpack, string.rep('\\145', 100)) return ok")));

    @Override
    RecordedScript script() {
        return SCRIPT;
    }
}
