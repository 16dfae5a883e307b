package dev.atoll.examples.kv;

import dev.atoll.config.DriverKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COMMAND INFO's tips, key specs and subcommands, and COMMAND DOCS, are redis-server 7.0.15's own
 * ({@code kv/redis-commands.json}, {@link CommandFacts}): for every command this server speaks they
 * equal a live redis-server's answers (skipped when none is installed), in RESP2 and RESP3; without
 * one, the resource covers every command this server speaks. COMMAND GETKEYSANDFLAGS takes its flags
 * from the same key specs ({@link KeySpecs}), compared with Redis's for a few commands.
 */
class KvCommandInfoTest {
    /** This server's commands Redis 7.0 does not have. */
    private static final List<String> NOT_IN_REDIS = List.of();

    private static KvTestServer server(int shards) throws Exception {
        return KvTestServer.start(shards, DriverKind.AUTO, KvTestServer.settings(null, KvSettings.FsyncPolicy.NO));
    }

    @ParameterizedTest(name = "{0} shards, RESP{1}")
    @CsvSource({"1, 2", "2, 3"})
    void keySpecsAndDocsAreRedisS(int shards, int protocol) throws Exception {
        RecordedScript.withRedis(port -> {
            try (KvTestServer atoll = server(shards); RespClient a = atoll.client(); RespClient r = KvRedisComparisonTest.connect(port)) {
                if (protocol == 3) {
                    a.call("HELLO", "3");
                    r.call("HELLO", "3");
                }
                List<String> differences = new ArrayList<>();
                for (Command c : Command.values()) {
                    List<?> ours = (List<?>) ((List<?>) a.call("COMMAND", "INFO", c.lowerName)).get(0);
                    Object theirs = ((List<?>) r.call("COMMAND", "INFO", c.lowerName)).get(0);
                    if (theirs == null) {
                        differences.add(c.lowerName + ": not a Redis command");
                        continue;
                    }
                    if (!normalized(ours).equals(normalized(theirs))) {
                        differences.add(c.lowerName + ": " + ours + " vs Redis's " + theirs);
                    }
                    Object docs = a.call("COMMAND", "DOCS", c.lowerName);
                    Object redisDocs = r.call("COMMAND", "DOCS", c.lowerName);
                    if (!normalized(docs).equals(normalized(redisDocs))) {
                        differences.add(c.lowerName + " docs: " + docs + " vs Redis's " + redisDocs);
                    }
                }
                for (List<String> call : List.of( // the flags of the key specs, read from Redis's answers (the stream groups' were missing)
                        List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">"), List.of("XACK", "s", "g", "1-1"),
                        List.of("XCLAIM", "s", "g", "c", "0", "1-1"), List.of("XAUTOCLAIM", "s", "g", "c", "0", "0"),
                        List.of("XPENDING", "s", "g"), List.of("SET", "k", "v"), List.of("SET", "k", "v", "GET"),
                        List.of("SORT", "k", "STORE", "d"), List.of("LMOVE", "a", "b", "LEFT", "RIGHT"), List.of("DEL", "a", "b"),
                        List.of("BITFIELD", "k", "GET", "u8", "0"), List.of("ZUNIONSTORE", "d", "2", "a", "b"))) {
                    List<String> words = new ArrayList<>(List.of("COMMAND", "GETKEYSANDFLAGS"));
                    words.addAll(call);
                    Object ours = a.call(words.toArray(String[]::new));
                    Object theirs = r.call(words.toArray(String[]::new));
                    if (!normalized(ours).equals(normalized(theirs))) {
                        differences.add(String.join(" ", call) + ": " + ours + " vs Redis's " + theirs);
                    }
                }
                assertEquals(List.of(), differences);
            }
            return null;
        });
    }

    /**
     * COMMAND LIST (whole, and FILTERBY every ACL category, PATTERN, MODULE) lists the subcommands by
     * their full names as redis-server does (the same names; Redis's order is its dict's, so sorted),
     * and COMMAND INFO, DOCS, GETKEYS and GETKEYSANDFLAGS of subcommands answer as Redis's, byte for
     * byte in RESP2 and RESP3. Only FAILOVER, which this server lacks, is left out.
     */
    @ParameterizedTest(name = "RESP{0}")
    @CsvSource({"2", "3"})
    void subcommandsAreListedAndDescribedAsRedisS(int protocol) throws Exception {
        RecordedScript.withRedis(port -> {
            try (KvTestServer atoll = server(2); RespClient a = atoll.client(); RespClient r = KvRedisComparisonTest.connect(port)) {
                if (protocol == 3) {
                    a.call("HELLO", "3");
                    r.call("HELLO", "3");
                }
                List<String> differences = new ArrayList<>();
                List<List<String>> lists = new ArrayList<>(List.of(List.of("COMMAND", "LIST"),
                        List.of("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG*"), List.of("COMMAND", "LIST", "FILTERBY", "PATTERN", "*|get"),
                        List.of("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), List.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch")));
                for (String category : AclCategories.ALL) {
                    lists.add(List.of("COMMAND", "LIST", "FILTERBY", "ACLCAT", category));
                }
                for (List<String> call : lists) {
                    List<String> ours = sortedNames(a.call(call.toArray(String[]::new)));
                    List<String> theirs = sortedNames(r.call(call.toArray(String[]::new)));
                    if (CommandDocs.named("failover") == null) {
                        theirs.remove("failover"); // another helper's command, not yet here
                    }
                    if (!ours.equals(theirs)) {
                        differences.add(String.join(" ", call) + ": " + ours + " vs Redis's " + theirs);
                    }
                }
                for (String call : List.of("COMMAND INFO config|get", "COMMAND INFO CONFIG|GET get nosuch config|nosuch get|x config|get|x",
                        "COMMAND INFO", "COMMAND DOCS config|get", "COMMAND DOCS XINFO|STREAM get nosuch get|x config|get|x",
                        "COMMAND GETKEYS object nosuch k", "COMMAND GETKEYS object encoding", "COMMAND GETKEYS object encoding k",
                        "COMMAND GETKEYS object help", "COMMAND GETKEYS memory usage", "COMMAND GETKEYS xinfo stream s full",
                        "COMMAND GETKEYS config|get x", "COMMAND GETKEYS config get x", "COMMAND GETKEYS config nosuch",
                        "COMMAND GETKEYS xgroup create s g $", "COMMAND GETKEYSANDFLAGS xgroup createconsumer s g c",
                        "COMMAND GETKEYSANDFLAGS xinfo groups s", "COMMAND GETKEYS eval s 0", "COMMAND GETKEYS fcall f 0",
                        "COMMAND GETKEYS eval s 1 k", "COMMAND LIST FILTERBY pattern", "COMMAND LIST x", "COMMAND COUNT x")) {
                    String[] words = call.split(" ");
                    Object ours = a.call(words);
                    Object theirs = r.call(words);
                    if (call.equals("COMMAND INFO")) { // every command, in Redis's dict order: by name
                        ours = byName(ours);
                        theirs = byName(theirs).stream().filter(e -> CommandDocs.named("failover") != null
                                || !((List<?>) e).get(0).equals("failover")).toList();
                    }
                    if (!String.valueOf(normalized(ours)).equals(String.valueOf(normalized(theirs)))) {
                        differences.add(call + ": " + ours + " vs Redis's " + theirs);
                    }
                }
                assertEquals(List.of(), differences);
            }
            return null;
        });
    }

    /** The entries of a COMMAND INFO reply, sorted by name. */
    private static List<?> byName(Object reply) {
        List<Object> entries = new ArrayList<>((List<?>) reply);
        entries.sort(java.util.Comparator.comparing(e -> (String) ((List<?>) e).get(0)));
        return entries;
    }

    /** The names of a COMMAND LIST reply, sorted. */
    private static List<String> sortedNames(Object reply) {
        List<String> names = new ArrayList<>();
        ((List<?>) reply).forEach(name -> names.add((String) name));
        names.sort(null);
        return names;
    }

    /** Without redis-server: COMMAND LIST names the subcommands as Redis 7.0.15 does (366 names, FAILOVER's aside). */
    @Test
    void commandListNamesTheSubcommands() throws Exception {
        try (KvTestServer atoll = server(1); RespClient a = atoll.client()) {
            List<String> names = sortedNames(a.call("COMMAND", "LIST"));
            assertEquals(CommandDocs.named("failover") == null ? 365 : 366, names.size());
            assertTrue(names.containsAll(List.of("config|get", "acl|cat", "xinfo|stream", "get")), names.toString());
            assertEquals(List.of("config|get", "slowlog|get"), sortedNames(a.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "*|GET")));
            assertEquals(Command.values().length, ((Number) a.call("COMMAND", "COUNT")).intValue()); // as Redis: the top-level commands
        }
    }

    /**
     * A reply with its subcommands in name order: redis-server lists a container's subcommands (COMMAND
     * INFO's 10th element, COMMAND DOCS' {@code subcommands} map) in its dict's order, which its hash seed
     * changes from one process to the next.
     */
    private static Object normalized(Object reply) {
        if (reply instanceof java.util.Map<?, ?> map) {
            java.util.Map<Object, Object> sorted = new java.util.TreeMap<>(java.util.Comparator.comparing(String::valueOf));
            map.forEach((k, v) -> sorted.put(k, normalized(v)));
            return sorted;
        }
        if (reply instanceof RespClient.RespSet set) {
            return normalized(set.elements());
        }
        if (reply instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            list.forEach(item -> items.add(normalized(item)));
            boolean entries = !items.isEmpty() && items.stream().allMatch(i -> i instanceof List<?> l && !l.isEmpty()
                    && l.get(0) instanceof String name && name.contains("|"));
            if (entries) { // COMMAND INFO's subcommand entries
                items.sort(java.util.Comparator.comparing(i -> (String) ((List<?>) i).get(0)));
            }
            boolean docsPairs = items.size() % 2 == 0 && !items.isEmpty()
                    && java.util.stream.IntStream.range(0, items.size() / 2)
                            .allMatch(i -> items.get(2 * i) instanceof String name && name.contains("|"));
            if (docsPairs) { // RESP2's flat subcommands map of COMMAND DOCS: sort its pairs
                java.util.Map<Object, Object> sorted = new java.util.TreeMap<>(java.util.Comparator.comparing(String::valueOf));
                for (int i = 0; i < items.size(); i += 2) {
                    sorted.put(items.get(i), items.get(i + 1));
                }
                return sorted;
            }
            return items;
        }
        return reply;
    }

    /** Without redis-server: every command has Redis's facts (its info entry under its name, a docs map with a summary). */
    @Test
    void theResourceCoversEveryCommand() {
        for (Command c : Command.values()) {
            CommandFacts.Facts facts = CommandFacts.of(c.lowerName);
            if (NOT_IN_REDIS.contains(c.lowerName)) {
                continue;
            }
            assertNotNull(facts, c.lowerName);
            assertEquals("$" + c.lowerName, facts.info().get(0));
            assertTrue(facts.docs().get("summary") instanceof String, c.lowerName);
        }
    }
}
