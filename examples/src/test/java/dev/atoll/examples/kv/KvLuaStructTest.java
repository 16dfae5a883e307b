package dev.atoll.examples.kv;

import java.util.List;

/**
 * The scripts' {@code struct} (as Redis 7.0 bundles it) against what redis-server 7.0.15 answered
 * ({@code kv/lua-struct-replies.txt}), on 1 and 2 shards, RESP2 and RESP3: every format letter, both
 * byte orders, {@code !} alignment, sizes, C's conversions of out-of-range numbers, {@code c0} and
 * {@code s}, and every error text.
 */
class KvLuaStructTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/lua-struct-replies.txt", List.of(
                eval("return struct.size('>iT')"),
                eval("return struct.size('!bd')"),
                eval("return struct.size('!4bd')"),
                eval("return struct.size('bhilLTfdxc5i2I8')"),
                eval("return struct.size('s')"),
                eval("return struct.size('c0')"),
                eval("return struct.size('z')"),
                eval("return struct.size('!3')"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('z'))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('>i3', 1))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('i33', 1))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('i99999999999', 1))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('!3i', 1))"),
                eval("return {struct.unpack('c0', 'abc')}"),
                eval("return {struct.unpack('bc0', '\\2abc')}"),
                eval("return {struct.unpack('i', 'ab')}"),
                eval("return {struct.unpack('i', 'abcd', 10)}"),
                eval("return {struct.unpack('i', '\\1\\0\\0\\0', 2.5)}"),
                eval("return {struct.unpack('i', '\\1\\0\\0\\0', -3)}"),
                eval("return {struct.unpack('s', 'abc')}"),
                eval("return {struct.unpack('sb', 'abc\\0\\5')}"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('c5', 'ab'))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('c0', 'abc'))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('c2', 'abc'))"),
                eval("return struct.pack('s', 'abc') == 'abc\\0'"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack(' <!4 b i'))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('i', 'x'))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('i', {}))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack())"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('c'))"),
                eval("return {struct.unpack('>i', struct.pack('>I', 4294967295))}"),
                eval("return {struct.unpack('<i16', struct.pack('<i16', -2))}"),
                eval("return {struct.unpack('>I16', struct.pack('>I16', -2))}"),
                eval("return {struct.unpack('>d', struct.pack('>d', 1.5))}"),
                eval("return {struct.unpack('<f', struct.pack('<f', 0.1))}"),
                eval("return {struct.unpack('>l', struct.pack('>l', 2^63))}"),
                eval("return {struct.unpack('>L', struct.pack('>L', 2^63))}"),
                eval("return {struct.unpack('>L', struct.pack('>L', 1e30))}"),
                eval("return {struct.unpack('>l', struct.pack('>l', -1e30))}"),
                eval("return {struct.unpack('>L', struct.pack('>L', -1))}"),
                eval("return {struct.unpack('!4 b i h d', struct.pack('!4 b i h d', -1, 100000, -300, 2.25))}"),
                eval("return {struct.unpack('!b d', struct.pack('!b d', 7, 0.5))}"),
                eval("return {struct.unpack('>bBhHlL', struct.pack('>bBhHlL', -1, 255, -1, 65535, -5, 5))}"),
                eval("return {struct.unpack('<I3', '\\1\\2\\3')}"),
                eval("return {struct.unpack('>i3', '\\255\\255\\254')}"),
                eval("return {struct.unpack('xxb', '\\1\\2\\3')}"),
                eval("return {struct.unpack('b', '\\1\\2\\3', 3)}"),
                eval("return {struct.unpack('b', '\\1\\2\\3', 4)}"),
                eval("return {struct.unpack('', 'abc', 10)}"),
                eval("return {struct.unpack('bc0', '\\9abc')}"),
                eval("return {struct.unpack('c0', 'abc')}"),
                eval("return {struct.unpack('c3c0', '123abc')}"),
                eval("return {struct.unpack('c1c0', '2abc')}"),
                eval("return {struct.unpack('q', 'abc')}"),
                eval("return {struct.unpack(1, 'abc')}"),
                eval("return {struct.unpack('b')}"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('>h', 70000))"),
                eval("return struct.pack('b', 3.7) == '\\3'"),
                eval("return struct.pack('b', -3.7) == '\\253'"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('>d', 0/0))"),
                eval("local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end return hex(struct.pack('>I', '12'))"),
                eval("struct.pack = 1")));

    @Override
    RecordedScript script() {
        return SCRIPT;
    }
}
