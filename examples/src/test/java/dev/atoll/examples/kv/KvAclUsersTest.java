package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * ACL users against redis-server 7.0.15, reply for reply ({@link RecordedScript}, RESP2 and RESP3, 1 and
 * 2 shards): every SETUSER rule form with the GETUSER and LIST that follow it (the rule text Redis
 * prints, fitted categories included), the rules' errors, DRYRUN, then a restricted user's commands
 * and their NOPERM errors (commands, subcommands, keys read and written, channels, inside MULTI),
 * AUTH and HELLO AUTH refused, and the ACL subcommands' errors. Rule texts that list several single
 * commands are left out: Redis lists them in its hash table's order, which changes with each process.
 */
class KvAclUsersTest extends RecordedScriptTest {
    private static final RecordedScript SCRIPT = new RecordedScript("/kv/acl-users-replies.txt", steps());

    @Override
    RecordedScript script() {
        return SCRIPT;
    }

    /** SETUSER v with {@code rules}, then what GETUSER and LIST say, then v deleted. */
    private static void form(List<List<String>> steps, String... rules) {
        List<String> setUser = new ArrayList<>(List.of("ACL", "SETUSER", "v"));
        setUser.addAll(List.of(rules));
        steps.add(setUser);
        steps.add(step("ACL", "GETUSER", "v"));
        steps.add(step("ACL", "LIST"));
        steps.add(step("ACL", "DELUSER", "v"));
    }

    static List<List<String>> steps() {
        List<List<String>> steps = new ArrayList<>();
        steps.add(step("ACL", "LIST"));
        steps.add(step("ACL", "GETUSER", "default"));
        // the rule forms
        form(steps, "on", ">p1", "~k*", "+@all", "-get");
        form(steps, "+get", "-get", "+@read", "-@read", "+set", "+@read");
        form(steps, "+@all", "-@read", "+get", "%R~r*", "%W~w*", "%RW~x*", "&ch*", "resetchannels", "&a");
        form(steps, "~a", "~a", "%W~a", "%R~b");
        form(steps, "+@all", "-@read", "-@write");
        form(steps, "-@all", "+@string", "+@hash", "-hset");
        form(steps, "-@all", "+@admin");
        form(steps, "-@all", "+@slow");
        form(steps, "+@all", "-config|get");
        form(steps, "-@all", "+config");
        form(steps, "+@all", "-config");
        form(steps, "-config|get", "+config");
        form(steps, "+acl|whoami");
        form(steps, "+select|0");
        form(steps, "+select|0", "+select|1", "+select");
        form(steps, "allcommands", "nocommands", "+get");
        form(steps, "allkeys", "allchannels");
        form(steps, "~a", "resetkeys", "~b", "&x", "allchannels");
        form(steps, "on", ">a", ">b", "<a");
        form(steps, ">x", "nopass");
        form(steps, "nopass", ">x");
        form(steps, ">x", "resetpass");
        form(steps, ">");
        form(steps, "#" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "!"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        form(steps, "reset");
        form(steps, "sanitize-payload");
        form(steps, "skip-sanitize-payload");
        form(steps, "on", "+@all", "~*", "&*", "reset");
        form(steps, "(~a +get)");
        form(steps, "(", "~a", "+get", ")");
        form(steps, "+@all", "(&c ~b)", "(+get)");
        form(steps, "(~a)", "clearselectors");
        form(steps, "ON", "ALLKEYS", "+GET", "+@READ");
        // refused rules: nothing of the command applies
        form(steps, "~*", "~a");
        form(steps, "allkeys", "%R~a");
        form(steps, "&*", "&a");
        form(steps, "%X~a");
        form(steps, "%~a");
        form(steps, "%R");
        form(steps, "bogus");
        form(steps, "+nosuch");
        form(steps, "+@nosuch");
        form(steps, "+config|nosuch");
        form(steps, "-get|x");
        form(steps, "+acl|whoami|x");
        form(steps, "+acl|");
        form(steps, "#abc");
        form(steps, "!abc");
        form(steps, "<nop");
        form(steps, "(~a");
        form(steps, "(bogus)");
        form(steps, "(on)");
        form(steps, "on", "+get", "bogus");
        form(steps, "~a b");
        form(steps, "&a b");
        form(steps, "%R~a b");
        form(steps, "+get x");
        form(steps, "(~a b)");
        form(steps, ">a b");
        steps.add(step("ACL", "SETUSER", "a b", "on"));
        steps.add(step("ACL", "SETUSER", "", "on"));
        steps.add(step("ACL", "GETUSER", ""));
        steps.add(step("ACL", "DELUSER", ""));
        // DRYRUN
        steps.add(step("ACL", "SETUSER", "w", "on", ">pw", "~r*", "%W~w*", "%R~ro*", "&ch", "&p*", "+@all", "-flushall",
                "-config|set"));
        for (String[] command : new String[][] {
            {"get", "r1"}, {"get", "x"}, {"set", "w1", "v"}, {"get", "w1"}, {"flushall"}, {"config", "set", "a", "b"},
            {"config", "get", "a"}, {"publish", "ch", "m"}, {"publish", "cx", "m"}, {"subscribe", "ch", "cx"},
            {"subscribe", "ch"}, {"psubscribe", "c*"}, {"psubscribe", "p*"}, {"ssubscribe", "pa"}, {"spublish", "x", "m"},
            {"copy", "r1", "w1"}, {"copy", "w1", "r1"}, {"mset", "w1", "a", "r1", "b"}, {"exists", "w1", "ro1", "x"},
            {"set", "ro1", "x"}, {"lmove", "r1", "w1", "left", "right"}, {"eval", "return 1", "1", "ro1"},
            {"eval", "return 1", "1", "r1"}, {"get"}, {"nocmd"}, {"ping"}, {"auth", "x"}}) {
            List<String> dryRun = new ArrayList<>(List.of("ACL", "DRYRUN", "w"));
            dryRun.addAll(List.of(command));
            steps.add(dryRun);
        }
        steps.add(step("ACL", "DRYRUN", "nouser", "get", "a"));
        steps.add(step("ACL", "DRYRUN", "w"));
        // a restricted user's commands
        steps.add(step("AUTH", "w", "pw"));
        steps.add(step("ACL", "WHOAMI"));
        steps.add(step("GET", "x"));
        steps.add(step("SET", "w1", "v"));
        steps.add(step("GET", "w1"));
        steps.add(step("GET", "r1"));
        steps.add(step("SET", "r1", "v"));
        steps.add(step("GET", "r1"));
        steps.add(step("SET", "ro1", "v"));
        steps.add(step("GET", "ro1"));
        // container commands' keys: XINFO reads (w2 is write-only here), OBJECT needs a pattern only
        steps.add(step("XGROUP", "CREATE", "w2", "g", "$", "MKSTREAM"));
        steps.add(step("XINFO", "STREAM", "w2"));
        steps.add(step("OBJECT", "ENCODING", "ro1"));
        steps.add(step("OBJECT", "ENCODING", "x"));
        steps.add(step("FLUSHALL"));
        steps.add(step("CONFIG", "SET", "a", "b"));
        steps.add(step("PUBLISH", "cx", "m"));
        steps.add(step("PUBLISH", "ch", "m"));
        steps.add(step("PUBLISH", "pq", "m"));
        steps.add(step("MULTI"));
        steps.add(step("GET", "x"));
        steps.add(step("GET", "r1"));
        steps.add(step("EXEC"));
        steps.add(step("MULTI"));
        steps.add(step("GET", "r1"));
        steps.add(step("EXEC"));
        steps.add(step("EVAL", "return redis.call('get', KEYS[1])", "1", "x"));
        steps.add(step("EVAL", "return redis.pcall('flushall')", "0"));
        steps.add(step("EVAL", "return redis.pcall('get', 'w1')", "0"));
        steps.add(step("EVAL", "return redis.call('get', KEYS[1])", "1", "r1"));
        // a script queued in MULTI: its redis.call checked when EXEC runs it
        steps.add(step("MULTI"));
        steps.add(step("EVAL", "return redis.pcall('flushall')", "0"));
        steps.add(step("EVAL", "return redis.pcall('get', 'w1')", "0"));
        steps.add(step("EXEC"));
        // the rules change under the connection: its next command sees them
        steps.add(step("ACL", "SETUSER", "w", "-get"));
        steps.add(step("GET", "r1"));
        steps.add(step("ACL", "SETUSER", "w", "+get"));
        steps.add(step("GET", "r1"));
        // authentication
        steps.add(step("AUTH", "w", "bad"));
        steps.add(step("AUTH", "nouser", "x"));
        steps.add(step("AUTH", "x"));
        steps.add(step("AUTH", "a", "b", "c"));
        steps.add(step("HELLO", "2", "AUTH", "w", "bad"));
        steps.add(step("ACL", "WHOAMI"));
        steps.add(step("ACL", "SETUSER", "w", "off"));
        steps.add(step("AUTH", "w", "pw"));
        steps.add(step("ACL", "SETUSER", "w", "on", "nopass"));
        steps.add(step("AUTH", "w", "anything"));
        steps.add(step("AUTH", "default", "x"));
        steps.add(step("ACL", "WHOAMI"));
        // the other subcommands
        steps.add(step("ACL", "USERS"));
        steps.add(step("ACL", "DELUSER", "default"));
        steps.add(step("ACL", "DELUSER", "nosuch", "w", "w"));
        steps.add(step("ACL", "GETUSER", "w"));
        steps.add(step("ACL", "GETUSER"));
        steps.add(step("ACL", "SETUSER"));
        steps.add(step("ACL", "DELUSER"));
        steps.add(step("ACL", "SAVE"));
        steps.add(step("ACL", "LOAD"));
        steps.add(step("CLIENT", "KILL", "USER", "nosuch"));
        steps.add(step("ACL", "USERS"));
        return steps;
    }
}
