package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scripting: EVAL, EVALSHA, their _RO forms, SCRIPT, FUNCTION and FCALL on 1 and 2 shards, RESP2 and
 * RESP3, with Redis's conversions and error texts as redis-server 7.0.15 answers them (asked on this
 * machine, written here); the shard rule (declared keys on one shard, CROSSSHARD otherwise, no access
 * to another shard's key); the bound on a runaway script; a restart keeping the libraries and the
 * scripts' effects.
 */
class KvScriptingTest extends KvOneAndTwoShards {
    private static final String LIB = """
            #!lua name=mylib
            redis.register_function('echoarg', function(keys, args) return args[1] end)
            redis.register_function{function_name='getter', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}
            redis.register_function('incr2', function(keys, args) redis.call('incr', keys[1]); return redis.call('incr', keys[1]) end)
            redis.register_function('boom', function(keys, args) return error('boom') end)""";

    @TempDir
    Path dir;

    private static RespClient client(int shards) throws Exception {
        RespClient c = server(shards).client();
        assertEquals("OK", c.call("FLUSHALL"));
        assertEquals("OK", c.call("FUNCTION", "FLUSH"));
        assertEquals("OK", c.call("SCRIPT", "FLUSH"));
        return c;
    }

    private static RespClient.Error error(String text) {
        return new RespClient.Error(text);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void conversionsAsRedis(int shards) throws Exception {
        try (RespClient c = client(shards)) {
            assertEquals(List.of(1L, 2L, 3L, "x"), c.call("EVAL", "return {1,2,3,'x',nil,4}", "0"));
            assertEquals(3L, c.call("EVAL", "return 3.99", "0"));
            assertEquals(List.of(1L, 2L, -3L), c.call("EVAL", "return {1.5, 2.7, -3.9}", "0"));
            assertEquals(1L, c.call("EVAL", "return true", "0"));
            assertEquals(null, c.call("EVAL", "return false", "0"));
            assertEquals(error("My Error"), c.call("EVAL", "return {err='My Error'}", "0"));
            assertEquals("fine", c.call("EVAL", "return {ok='fine'}", "0"));
            assertEquals(error("MYERR bad thing"), c.call("EVAL", "return redis.error_reply('MYERR bad thing')", "0"));
            assertEquals("st", c.call("EVAL", "return redis.status_reply('st')", "0"));
            assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", c.call("EVAL", "return redis.sha1hex('')", "0"));
            assertEquals("c2", c.call("EVAL", "return ARGV[1] .. #KEYS", "2", "a{t}", "b{t}", "c"));
            assertEquals("OK", c.call("EVAL", "return redis.call('set', KEYS[1], 'bar')", "1", "foo"));
            assertEquals("bar", c.call("EVAL", "return redis.call('get', KEYS[1])", "1", "foo"));
            assertEquals("boolean", c.call("EVAL", "return type(redis.call('get', KEYS[1]))", "1", "nokey"));
            assertEquals("OK", c.call("EVAL", "return redis.call('set', KEYS[1], 'b')['ok']", "1", "foo"));
            assertEquals("ERR value is not an integer or out of range",
                    c.call("EVAL", "return redis.pcall('incr', KEYS[1])['err']", "1", "foo"));
            assertEquals("PONG", c.call("EVAL", "return redis.call('ping')", "0"));
            assertEquals(List.of(), c.call("EVAL", "return coroutine", "0"));
            assertEquals(null, c.call("EVAL", "return load", "0")); // a function: null
            assertEquals("OK", c.call("EVAL", "return redis.call('set', KEYS[1], 2.0)", "1", "n"));
            assertEquals("2", c.call("GET", "n"));
            assertEquals(List.of(0L, 1L, 2L, 3L), c.call("EVAL", "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}", "0"));
            assertEquals("7.0.15", c.call("EVAL", "return redis.REDIS_VERSION", "0"));
            assertEquals(458767L, c.call("EVAL", "return redis.REDIS_VERSION_NUM", "0"));
            assertEquals(13L, c.call("EVAL", "return tonumber('12')+1", "0"));
            assertEquals("1,2", c.call("EVAL", "return table.concat({1,2}, ',')", "0"));
            assertEquals(null, c.call("EVAL", "return redis.log(redis.LOG_WARNING, 'from a test')", "0"));
            // RESP3 after HELLO 3: the script's booleans are still RESP2's unless it chose setresp(3)
            assertInstanceOf(Map.class, c.call("HELLO", "3"));
            assertEquals(1L, c.call("EVAL", "return true", "0"));
            assertEquals(RespClient.RESP3_NULL, c.call("EVAL", "return false", "0"));
            assertEquals(RespClient.RESP3_NULL, c.call("EVAL", "return redis.call('get', KEYS[1])", "1", "nokey"));
            assertEquals(new RespClient.Resp3Double("3.5"), c.call("EVAL", "return {double=3.5}", "0"));
            assertEquals(Map.of("a", 1L), c.call("EVAL", "redis.setresp(3); return {map={a=1}}", "0"));
            assertEquals(new RespClient.RespSet(List.of("a")), c.call("EVAL", "redis.setresp(3); return {set={a=true}}", "0"));
            assertEquals(Map.of(), c.call("EVAL", "redis.setresp(3); return redis.call('hgetall', KEYS[1])", "1", "nohash"));
            assertEquals("nil", c.call("EVAL", "redis.setresp(3); return type(redis.call('zscore', KEYS[1], 'm'))", "1", "zz"));
            assertEquals(error("ERR RESP version must be 2 or 3. script: 921c0a48021d97dfd5884aeea41875972c7804d9, on @user_script:1."),
                    c.call("EVAL", "return redis.setresp(4)", "0"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void errorsAsRedis(int shards) throws Exception {
        try (RespClient c = client(shards)) {
            c.call("SET", "foo", "bar");
            // an undeclared key: allowed when the script's shard owns it (the only one here), an error otherwise
            String elsewhere = shards == 1 ? null : KvSetsTest.keyOn(1 - KeySlots.owner("foo".getBytes(), 0, 3, 2), 2, "x");
            assertEquals(error((shards == 1 ? "ERR value is not an integer or out of range" : "ERR Script attempted to access a non local key in a cluster node")
                    + " script: 22c9dbdd80709fb523d10691f558682a9d7129bf, on @user_script:1."),
                    shards == 1 ? c.call("EVAL", "return redis.call('incr','foo')", "0") : c.call("EVAL", "return redis.call('incr','foo')", "1", elsewhere));
            assertEquals(error("ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1."),
                    c.call("EVAL", "return x", "0"));
            assertEquals(error("ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1."),
                    c.call("EVAL", "x = 1", "0"));
            assertEquals(error("ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1."),
                    c.call("EVAL", "return redis.call('nosuch')", "0"));
            assertEquals(error("ERR Wrong number of args calling Redis command from script script: f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1."),
                    c.call("EVAL", "return redis.call('get')", "0"));
            assertEquals(error("ERR user_script:1: boom script: 57b11f4c6516f4ef2661c6423451796106f8393a, on @user_script:1."),
                    c.call("EVAL", "return error('boom')", "0"));
            assertEquals(error("boom2 script: a448acbadd223575c7fd87e84fa2cc1454292af4, on @user_script:1."),
                    c.call("EVAL", "return error({err='boom2'})", "0"));
            assertEquals(error("ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1."),
                    c.call("EVAL", "return redis.call()", "0"));
            assertEquals(error("ERR Lua redis lib command arguments must be strings or integers script: 4368e88f98d93af9caf358186e5fbf273374ee91, on @user_script:1."),
                    c.call("EVAL", "return redis.call('get', {})", "0"));
            assertEquals(error("ERR This Redis command is not allowed from script script: abca6f0af300bbde50e15c9226201a7d087652cf, on @user_script:1."),
                    c.call("EVAL", "return redis.call('blpop','nolist',0)", "0"));
            assertEquals(error("ERR This Redis command is not allowed from script script: 595931feb16e9cba240a2e4c6a852627761118e3, on @user_script:1."),
                    c.call("EVAL", "return redis.call('eval','return 1',0)", "0"));
            assertEquals(error("ERR Write commands are not allowed from read-only scripts. script: ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1."),
                    c.call("EVAL_RO", "return redis.call('set','a','b')", "0"));
            assertEquals(error("ERR Write commands are not allowed from read-only scripts. script: 6acb400a50fe96e33eca4e0af6e9dcfb21193726, on @user_script:2."),
                    c.call("EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", "0"));
            assertEquals(1L, c.call("EVAL", "#!lua\nreturn 1", "0"));
            assertEquals(error("ERR Unexpected flag in script shebang: bogus"), c.call("EVAL", "#!lua flags=bogus\nreturn 1", "0"));
            for (String global : List.of("os", "io", "print", "dofile", "require", "loadfile", "debug")) {
                RespClient.Error e = assertInstanceOf(RespClient.Error.class, c.call("EVAL", "return " + global, "0"));
                assertTrue(e.text().contains("Script attempted to access nonexistent global variable '" + global + "'"), e.text());
            }
            RespClient.Error readOnlyLibrary = assertInstanceOf(RespClient.Error.class, c.call("EVAL", "string.foo = 1; return 1", "0"));
            assertTrue(readOnlyLibrary.text().startsWith("ERR user_script:1: Attempt to modify a readonly table"), readOnlyLibrary.text());
            assertEquals(error("ERR wrong number of arguments for 'eval' command"), c.call("EVAL", "return 1"));
            assertEquals(error("ERR Number of keys can't be negative"), c.call("EVAL", "return 1", "-1"));
            assertEquals(error("ERR Number of keys can't be greater than number of args"), c.call("EVAL", "return 1", "2", "a"));
            assertEquals(error("ERR value is not an integer or out of range"), c.call("EVAL", "return 1", "abc"));
            assertEquals(error("NOSCRIPT No matching script. Please use EVAL."), c.call("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"));
            RespClient.Error compile = assertInstanceOf(RespClient.Error.class, c.call("EVAL", "syntax error here", "0"));
            assertTrue(compile.text().startsWith("ERR Error compiling script (new function): user_script:1: "), compile.text());
            assertEquals(error("NOTBUSY No scripts in execution right now."), c.call("SCRIPT", "KILL"));
            assertEquals(error("ERR unknown subcommand 'foo'. Try SCRIPT HELP."), c.call("SCRIPT", "foo"));
            // the sandbox as docs/kv.md says it
            assertEquals("function", c.call("EVAL", "return type(bit.band)", "0"));
            assertEquals("function", c.call("EVAL", "return type(bit.tohex)", "0"));
            assertEquals(List.of("table", "table", "table", "table"),
                    c.call("EVAL", "return {type(bit), type(cjson), type(cmsgpack), type(struct)}", "0"));
            assertEquals("function", c.call("EVAL", "return type(unpack)", "0"));
            for (String global : List.of("package", "setfenv")) {
                RespClient.Error e = assertInstanceOf(RespClient.Error.class, c.call("EVAL", "return " + global, "0"));
                assertTrue(e.text().contains("nonexistent global variable '" + global + "'"), e.text());
            }
            for (String write : List.of("rawset(_G, 'x', 1)", "rawset(string, 'x', 1)", "setmetatable(_G, nil)", "redis.call = nil")) {
                RespClient.Error e = assertInstanceOf(RespClient.Error.class, c.call("EVAL", write, "0"));
                assertTrue(e.text().contains("readonly table") || e.text().contains("protected metatable"), write + ": " + e.text());
            }
            assertEquals(3L, c.call("EVAL", "return load('return 1 + 2')()", "0"));
            RespClient.Error deep = assertInstanceOf(RespClient.Error.class, c.call("EVAL", "local function f() return 1 + f() end return f()", "0"));
            assertTrue(deep.text().startsWith("ERR "), deep.text());
            // a guarded bridge: a table that contains itself answers an error, the shard goes on
            assertEquals(error("ERR reached lua stack limit"), c.call("EVAL", "local t = {}; t[1] = t; return t", "0"));
            assertEquals("PONG", c.call("PING"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void scriptCacheIsEveryShards(int shards) throws Exception {
        try (RespClient c = client(shards); RespClient other = server(shards).client()) {
            String sha = (String) c.call("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])");
            assertEquals(List.of(1L, 0L), c.call("SCRIPT", "EXISTS", sha, "0000"));
            for (int i = 0; i < 10; i++) { // keys on every shard, from another connection (maybe another shard)
                assertEquals(1L, other.call("EVALSHA", sha, "1", "k" + i));
                assertEquals(2L, other.call("EVALSHA", sha, "1", "k" + i));
            }
            assertEquals(error("ERR Write commands are not allowed from read-only scripts. script: " + sha + ", on @user_script:1."),
                    other.call("EVALSHA_RO", sha, "1", "k0"));
            assertEquals(1L, c.call("EVAL", "return 1", "0"));
            assertEquals(List.of(1L), c.call("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")); // EVAL caches it
            assertEquals("OK", c.call("SCRIPT", "FLUSH", "ASYNC"));
            assertEquals(List.of(0L), other.call("SCRIPT", "EXISTS", sha));
            assertEquals(error("NOSCRIPT No matching script. Please use EVAL."), other.call("EVALSHA", sha, "1", "k0"));
            String stats = (String) c.call("INFO", "commandstats");
            assertTrue(stats.contains("cmdstat_evalsha:calls=") && stats.contains("cmdstat_incr:calls=") && stats.contains("cmdstat_script:calls="), stats);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void functionsAsRedis(int shards) throws Exception {
        try (RespClient c = client(shards); RespClient other = server(shards).client()) {
            assertEquals("mylib", c.call("FUNCTION", "LOAD", LIB));
            assertEquals(error("ERR Library 'mylib' already exists"), c.call("FUNCTION", "LOAD", LIB));
            assertEquals("mylib", c.call("FUNCTION", "LOAD", "REPLACE", LIB));
            assertEquals("hello", other.call("FCALL", "echoarg", "0", "hello"));
            assertEquals(error("ERR Can not execute a script with write flag using *_ro command."), other.call("FCALL_RO", "echoarg", "0", "x"));
            for (int i = 0; i < 6; i++) {
                assertEquals(2L, other.call("FCALL", "incr2", "1", "f" + i));
                assertEquals("2", other.call("FCALL_RO", "getter", "1", "f" + i));
            }
            assertEquals(error("ERR Function not found"), c.call("FCALL", "nofunc", "0"));
            assertEquals(error("ERR user_function:5: boom script: boom, on @user_function:5."), c.call("FCALL", "boom", "0"));
            assertEquals(error("ERR Missing library metadata"), c.call("FUNCTION", "LOAD", "return 1"));
            assertEquals(error("ERR No functions registered"), c.call("FUNCTION", "LOAD", "#!lua name=bad\nreturn 1"));
            assertEquals(error("ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'"),
                    c.call("FUNCTION", "LOAD", "#!lua name=bad\nredis.call('get','x')"));
            assertEquals(error("ERR Function echoarg already exists"),
                    c.call("FUNCTION", "LOAD", "#!lua name=x2\nredis.register_function('echoarg', function() return 1 end)"));
            assertEquals(error("ERR Invalid library metadata"), c.call("FUNCTION", "LOAD", "#!lua"));
            assertEquals(error("ERR Library not found"), c.call("FUNCTION", "DELETE", "nolib"));
            assertEquals(error("ERR Number of keys can't be negative"), c.call("FCALL", "echoarg", "-1"));
            assertEquals(error("NOTBUSY No scripts in execution right now."), c.call("FUNCTION", "KILL"));
            List<?> list = (List<?>) c.call("FUNCTION", "LIST");
            assertEquals(1, list.size());
            List<?> lib = (List<?>) list.get(0);
            assertEquals(List.of("library_name", "mylib", "engine", "LUA", "functions"), lib.subList(0, 5));
            List<?> getter = (List<?>) ((List<?>) lib.get(5)).get(1);
            assertEquals(Arrays.asList("name", "getter", "description", null, "flags", List.of("no-writes")), getter);
            assertEquals(List.of(), c.call("FUNCTION", "LIST", "LIBRARYNAME", "my"));
            assertEquals(8, ((List<?>) ((List<?>) c.call("FUNCTION", "LIST", "LIBRARYNAME", "my*", "WITHCODE")).get(0)).size());
            assertEquals(Arrays.asList("running_script", null, "engines", List.of("LUA", List.of("libraries_count", 1L, "functions_count", 4L))),
                    c.call("FUNCTION", "STATS"));
            assertEquals("OK", c.call("FUNCTION", "DELETE", "mylib"));
            assertEquals(error("ERR Function not found"), other.call("FCALL", "echoarg", "0", "hello"));
        }
    }

    @Test
    void keysOnSeveralShardsAreRefusedAndAScriptStaysOnItsShard() throws Exception {
        String a = KvSetsTest.keyOn(0, 2, "a");
        String b = KvSetsTest.keyOn(1, 2, "b");
        try (RespClient c = client(2)) {
            RespClient.Error cross = assertInstanceOf(RespClient.Error.class, c.call("EVAL", "return 1", "2", a, b));
            assertTrue(cross.text().startsWith("CROSSSHARD Keys in request are owned by different shards: EVAL"), cross.text());
            assertEquals(error("ERR Script attempted to access a non local key in a cluster node script: 0e5cb0bb7baba1ed9c3e04bf8a1a0fd7d5a5a0e3, on @user_script:1."
                    .replace("0e5cb0bb7baba1ed9c3e04bf8a1a0fd7d5a5a0e3", ScriptRegistry.sha1Hex("return redis.call('get', ARGV[1])".getBytes()))),
                    c.call("EVAL", "return redis.call('get', ARGV[1])", "1", a, b));
            assertEquals("OK", c.call("EVAL", "return redis.call('set', ARGV[1], 'v')", "1", a, KvSetsTest.keyOn(0, 2, "same")));
            // inside MULTI: queued, run at EXEC
            assertEquals("OK", c.call("MULTI"));
            assertEquals("QUEUED", c.call("EVAL", "return redis.call('incr', KEYS[1])", "1", b));
            assertEquals("QUEUED", c.call("EVAL", "return redis.call('incr', KEYS[1])", "1", b));
            assertEquals(List.of(1L, 2L), c.call("EXEC"));
        }
    }

    /**
     * A script is one step: a client blocked on a list the script pushes to is served after the script,
     * not between its commands (Redis's order: the script sees its own push).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aBlockedClientIsServedAfterTheScript(int shards) throws Exception {
        try (RespClient c = client(shards); RespClient waiter = server(shards).client()) {
            waiter.send("BLPOP", "waited", "0");
            KvBlockingTest.awaitBlocked(c, 1);
            assertEquals(List.of(1L, 1L), c.call("EVAL", "local n = redis.call('rpush', KEYS[1], 'x'); return {n, redis.call('llen', KEYS[1])}",
                    "1", "waited"));
            assertEquals(List.of("waited", "x"), waiter.read());
            assertEquals(0L, c.call("LLEN", "waited"));
        }
    }

    /** A real client: Jedis's eval, evalsha, scriptLoad, functionLoad and fcall against the server. */
    @Test
    void jedisRunsScriptsAndFunctions() throws Exception {
        try (RespClient c = client(2); redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis("127.0.0.1", server(2).port())) {
            assertEquals("OK", jedis.eval("return redis.call('set', KEYS[1], ARGV[1])", List.of("jk"), List.of("jv")));
            String sha = jedis.scriptLoad("return redis.call('get', KEYS[1])");
            assertEquals("jv", jedis.evalsha(sha, List.of("jk"), List.of()));
            assertEquals(true, jedis.scriptExists(sha));
            assertEquals("mylib", jedis.functionLoad(LIB));
            assertEquals(2L, jedis.fcall("incr2", List.of("jn"), List.of()));
            assertEquals("2", jedis.fcallReadonly("getter", List.of("jn"), List.of()));
            redis.clients.jedis.exceptions.JedisDataException e = org.junit.jupiter.api.Assertions.assertThrows(
                    redis.clients.jedis.exceptions.JedisDataException.class, () -> jedis.evalsha("0".repeat(40), List.of(), List.of()));
            assertEquals("NOSCRIPT No matching script. Please use EVAL.", e.getMessage());
        }
    }

    /**
     * A script that never ends is stopped after busy-reply-threshold, even one that catches errors:
     * its shard serves again; the write before the stop stays (and is logged).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aRunawayScriptIsStopped(int shards) throws Exception {
        try (RespClient c = client(shards)) {
            assertEquals("OK", c.call("CONFIG", "SET", "busy-reply-threshold", "200"));
            try {
                assertEquals(List.of("busy-reply-threshold", "200"), c.call("CONFIG", "GET", "busy-reply-threshold"));
                long started = System.nanoTime();
                RespClient.Error e = assertInstanceOf(RespClient.Error.class,
                        c.call("EVAL", "redis.call('set', KEYS[1], 'before'); while true do pcall(function() while true do end end) end", "1", "runaway"));
                assertTrue(e.text().startsWith("ERR Script killed: it ran longer than busy-reply-threshold (200 ms)"), e.text());
                assertTrue(System.nanoTime() - started >= 200_000_000L);
                assertEquals("before", c.call("GET", "runaway"));
                assertEquals("PONG", c.call("PING"));
                RespClient.Error load = assertInstanceOf(RespClient.Error.class,
                        c.call("FUNCTION", "LOAD", "#!lua name=spin\nwhile true do end"));
                assertTrue(load.text().contains("busy-reply-threshold"), load.text());
            } finally {
                assertEquals("OK", c.call("CONFIG", "SET", "lua-time-limit", "5000"));
            }
        }
    }

    /** FUNCTION LOAD is logged, and scripts' effects are: a restart (with another shard count too) keeps both. */
    @Test
    void aRestartKeepsLibrariesAndEffects() throws Exception {
        KvSettings settings = KvTestServer.settings(dir, KvSettings.FsyncPolicy.ALWAYS);
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("mylib", c.call("FUNCTION", "LOAD", LIB));
            assertEquals("gone", c.call("FUNCTION", "LOAD", "#!lua name=gone\nredis.register_function('g', function() return 1 end)"));
            assertEquals("OK", c.call("FUNCTION", "DELETE", "gone"));
            for (int i = 0; i < 8; i++) {
                assertEquals(2L, c.call("FCALL", "incr2", "1", "k" + i));
                assertEquals(List.of(1L, 2L), c.call("EVAL", "redis.call('rpush', KEYS[1], math.random(1000)); redis.call('rpush', KEYS[1], 'x'); "
                        + "return {redis.call('llen', KEYS[1]) - 1, redis.call('llen', KEYS[1])}", "1", "l" + i));
            }
        }
        try (KvTestServer server = KvTestServer.start(1, DriverKind.AUTO, settings); RespClient c = server.client()) {
            for (int i = 0; i < 8; i++) {
                assertEquals("2", c.call("GET", "k" + i));
                assertEquals(2L, c.call("LLEN", "l" + i));
            }
            assertEquals(4L, c.call("FCALL", "incr2", "1", "k0"));
            assertEquals(error("ERR Function not found"), c.call("FCALL", "g", "0"));
        }
        try (KvTestServer server = KvTestServer.start(2, DriverKind.AUTO, settings); RespClient c = server.client()) {
            assertEquals("hello", c.call("FCALL", "echoarg", "0", "hello")); // the logs rewritten at the last start kept it
            assertEquals("4", c.call("GET", "k0"));
        }
    }
}
