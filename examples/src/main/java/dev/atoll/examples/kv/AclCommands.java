package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * ACL as Redis 7.0 answers it: users ({@link AclUsers}) made and changed by SETUSER's rules, listed
 * (LIST, USERS, GETUSER, WHOAMI), deleted (DELUSER, whose connections close on every shard), tried
 * (DRYRUN), saved to and loaded from {@code kv.aclfile} ({@link AclFile}); ACL LOG lists the refusals
 * ({@link AclLog}). {@link #refusal} is the NOPERM error of a refused command and its log entry.
 */
final class AclCommands {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AclCommands.class);
    private static final String NO_ACL_FILE = "ERR This Redis instance is not configured to use an ACL file. You may want to"
            + " specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis"
            + " configuration file set) in order to store users in the Redis configuration.";
    /** The subcommands and their arguments as Redis 7.0 lists them; the explanations are this server's. */
    private static final String[] HELP = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List the command categories, or the commands of <category>.",
        "DELUSER <username> [<username> ...]",
        "    Delete users and close their connections ('default' cannot be deleted).",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Tell whether the user may run the command, without running it.",
        "GETUSER <username>",
        "    Show a user's rules.",
        "GENPASS [<bits>]",
        "    Generate a random password of 256 bits, or <bits>.",
        "LIST",
        "    Show the users as an ACL file lists them.",
        "LOAD",
        "    Replace the users by those of the ACL file (kv.aclfile).",
        "LOG [<count> | RESET]",
        "    Show the refusals (authentication, command, key, channel), newest first.",
        "SAVE",
        "    Write the users to the ACL file (kv.aclfile).",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or change a user by Redis's rules.",
        "USERS",
        "    List the user names.",
        "WHOAMI",
        "    Return the connection's user name.",
        "HELP",
        "    Print this help."};
    private static final SecureRandom RANDOM = new SecureRandom();

    private AclCommands() {
    }

    /** ACL's subcommands: answered into {@code out} at once (null), or DELUSER / LOAD's fan-out closing connections. */
    static ReplySource execute(KvNode node, KvConnection connection, Request r, ReplyWriter out, int[] allShards) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        int n = r.count();
        switch (sub) {
            case "whoami" -> {
                if (arity(sub, n == 2, out)) {
                    out.bulk(connection.user.name);
                }
            }
            case "users" -> {
                if (arity(sub, n == 2, out)) {
                    List<AclUser> users = node.acl.all();
                    out.arrayHeader(users.size());
                    users.forEach(u -> out.bulk(u.name));
                }
            }
            case "list" -> {
                if (arity(sub, n == 2, out)) {
                    List<AclUser> users = node.acl.all();
                    out.arrayHeader(users.size());
                    users.forEach(u -> out.bulk("user " + u.name + " " + u.rules.describe()));
                }
            }
            case "getuser" -> {
                if (arity(sub, n == 3, out)) {
                    AclUser user = node.acl.get(r.string(2));
                    if (user == null) {
                        out.nullBulk();
                    } else {
                        user.rules.getUser(out);
                    }
                }
            }
            case "setuser" -> {
                if (arity(sub, n >= 3, out) && setUser(node, r, out)) {
                    // as Redis: subscribers whose channels the new rules no longer allow are closed
                    AclUser user = node.acl.get(r.string(2));
                    if (user.rules.allowsEveryChannel()) {
                        out.ok();
                        return null;
                    }
                    return closeConnections(node, connection, out, allShards, c -> c.user == user
                            && c.subscriptions() != null && !user.rules.keepsSubscriber(c.subscriptions()), ReplyWriter::ok);
                }
            }
            case "cat" -> {
                if (variadic(r, out)) {
                    cat(r, out);
                }
            }
            case "dryrun" -> {
                if (arity(sub, n >= 4, out)) {
                    dryRun(node, r, out);
                }
            }
            case "log" -> {
                if (!variadic(r, out)) {
                    return null;
                }
                if (n == 3 && r.string(2).equalsIgnoreCase("reset")) {
                    node.aclLog.reset();
                    out.ok();
                } else if (n == 3 && !r.longAt(2)) {
                    out.error(KvShard.NOT_INTEGER);
                } else {
                    node.aclLog.reply(n == 3 ? r.number : 10, out);
                }
            }
            case "genpass" -> {
                if (variadic(r, out)) {
                    genPass(r, out);
                }
            }
            case "deluser" -> {
                if (arity(sub, n >= 3, out)) {
                    List<String> names = new ArrayList<>();
                    for (int i = 2; i < n; i++) {
                        if (r.string(i).equals(AclUsers.DEFAULT)) {
                            out.error("ERR The 'default' user cannot be removed");
                            return null;
                        }
                        names.add(r.string(i));
                    }
                    List<AclUser> removed = node.acl.delete(names);
                    long count = removed.size();
                    return closeConnections(node, connection, out, allShards, removed, reply -> reply.integer(count));
                }
            }
            case "save" -> {
                if (arity(sub, n == 2, out)) {
                    save(node, out);
                }
            }
            case "load" -> {
                if (arity(sub, n == 2, out)) {
                    return load(node, connection, out, allShards);
                }
            }
            case "help" -> {
                if (arity(sub, n == 2, out)) {
                    out.helpLines(HELP);
                }
            }
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try ACL HELP.");
        }
        return null;
    }

    /**
     * SETUSER name rule ...: Redis's selector merge, then every rule on a copy, published only when all
     * are accepted; false after Redis's error.
     */
    private static boolean setUser(KvNode node, Request r, ReplyWriter out) {
        List<String> rules = new ArrayList<>();
        for (int i = 3; i < r.count(); i++) {
            rules.add(r.string(i));
        }
        String unmatched = AclFile.unmatched(rules);
        if (unmatched != null) {
            out.error("ERR Unmatched parenthesis in acl selector starting at '" + unmatched + "'.");
            return false;
        }
        if (AclSelector.hasSpaces(r.string(2))) {
            out.error("ERR Usernames can't contain spaces or null characters");
            return false;
        }
        String refused = node.acl.set(r.string(2), AclFile.mergeSelectors(rules));
        if (refused != null) {
            out.error(refused);
        }
        return refused == null;
    }

    /** Closes the connections of {@code users} on every shard, then answers with {@code answer}; at once when there are none. */
    private static ReplySource closeConnections(KvNode node, KvConnection connection, ReplyWriter out, int[] allShards,
                                                List<AclUser> users, java.util.function.Consumer<ReplyWriter> answer) {
        if (users.isEmpty()) {
            answer.accept(out);
            return null;
        }
        return closeConnections(node, connection, out, allShards, c -> users.contains(c.user), answer);
    }

    /**
     * Closes the connections {@code closes} takes on every shard (a fan-out: each shard closes its own, read
     * on its own thread; the asking connection after its reply), then answers with {@code answer}.
     */
    private static ReplySource closeConnections(KvNode node, KvConnection connection, ReplyWriter out, int[] allShards,
                                                java.util.function.Predicate<KvConnection> closes,
                                                java.util.function.Consumer<ReplyWriter> answer) {
        return FanOut.start(node, connection, out.resp3(), allShards, shard -> {
            List<KvConnection> taken = new ArrayList<>();
            shard.connections.forEach(c -> {
                if (!c.closingOrClosed() && closes.test(c)) {
                    taken.add(c);
                }
            });
            for (KvConnection c : taken) {
                if (c == connection) {
                    c.closeAfterReplies();
                } else {
                    c.closeNow();
                }
            }
            return taken.size();
        }, (results, reply) -> answer.accept(reply));
    }

    /** SAVE: every user to {@code kv.aclfile}; Redis's errors without one or when the write fails. */
    private static void save(KvNode node, ReplyWriter out) {
        java.nio.file.Path file = node.settings.aclFile();
        if (file == null) {
            out.error(NO_ACL_FILE);
            return;
        }
        try {
            AclFile.save(file, node.acl.all());
            out.ok();
        } catch (java.io.IOException e) {
            log.warn("ACL SAVE: cannot write {}: {}", file, e.toString());
            out.error("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
        }
    }

    /** LOAD: the users of {@code kv.aclfile} replace every user (nothing changes when it has an error); the others' connections close. */
    private static ReplySource load(KvNode node, KvConnection connection, ReplyWriter out, int[] allShards) {
        java.nio.file.Path file = node.settings.aclFile();
        if (file == null) {
            out.error(NO_ACL_FILE);
            return null;
        }
        AclFile.Loaded loaded = AclFile.read(file);
        if (loaded.errors() != null) {
            out.error("ERR " + loaded.errors());
            return null;
        }
        List<AclUser> gone = node.acl.replaceAll(loaded.users(), AclRules.defaultUser(node.settings.password()));
        return closeConnections(node, connection, out, allShards, gone, ReplyWriter::ok);
    }

    /**
     * The error for a command {@code rules} refused ({@link AclSelector}'s reason, and the argument
     * refused), after its ACL LOG entry in {@code context} ({@code toplevel}, {@code multi}).
     */
    static String refusal(KvNode node, KvConnection connection, int reason, int argument, Command command, Request r,
                          String context) {
        String object = logRefusal(node, connection, reason, argument, command, r, context);
        return switch (reason) {
            case AclSelector.DENIED_COMMAND -> "NOPERM this user has no permissions to run the '" + object + "' command";
            case AclSelector.DENIED_KEY -> "NOPERM this user has no permissions to access one of the keys used as arguments";
            default -> "NOPERM this user has no permissions to access one of the channels used as arguments";
        };
    }

    /**
     * Logs a refusal in ACL LOG and returns its object: the command's full name, or the key or channel
     * refused. The client's line is CLIENT LIST's when the connection is of the calling shard; from another
     * shard (a script there) only its id, address and user, which do not change.
     */
    static String logRefusal(KvNode node, KvConnection connection, int reason, int argument, Command command, Request r,
                             String context) {
        String object = reason == AclSelector.DENIED_COMMAND ? AclIds.name(AclIds.of(command, r)) : r.string(argument);
        String client = connection.home == node.local() ? connection.describe()
                : "id=" + connection.id + " addr=" + connection.peer + " user=" + connection.user.name;
        node.aclLog.add(reasonName(reason), context, object, connection.user.name, client);
        return object;
    }

    /**
     * The reply of a queued command its user may no longer run when EXEC comes (Redis 7.0's words),
     * after its ACL LOG entry in context {@code multi}.
     */
    static String refusedAtExec(KvNode node, KvConnection connection, long refused, Command command, Request r) {
        int reason = (int) (refused >>> 32);
        logRefusal(node, connection, reason, (int) refused, command, r, "multi");
        return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This"
                + " command is no longer allowed for the following reason: " + switch (reason) {
                    case AclSelector.DENIED_COMMAND -> "no permission to execute the command or subcommand";
                    case AclSelector.DENIED_KEY -> "no permission to touch the specified keys";
                    default -> "no permission to access one of the channels used as arguments";
                };
    }

    /** ACL LOG's reason for a refusal: {@code command}, {@code key} or {@code channel}. */
    static String reasonName(int reason) {
        return switch (reason) {
            case AclSelector.DENIED_COMMAND -> "command";
            case AclSelector.DENIED_KEY -> "key";
            default -> "channel";
        };
    }

    /** False, after Redis's error for {@code acl|sub}, when the count of arguments is not {@code ok}. */
    private static boolean arity(String sub, boolean ok, ReplyWriter out) {
        if (!ok) {
            out.error(KvConnection.wrongArity("acl|" + sub));
        }
        return ok;
    }

    /** False, after Redis's error for these (CAT, GENPASS, LOG), when there is more than one argument after the subcommand. */
    private static boolean variadic(Request r, ReplyWriter out) {
        if (r.count() > 3) {
            out.error("ERR unknown subcommand or wrong number of arguments for '" + r.string(1) + "'. Try ACL HELP.");
            return false;
        }
        return true;
    }

    /** CAT: the 21 categories, or the commands of one (lower case), in this server's table order. */
    private static void cat(Request r, ReplyWriter out) {
        if (r.count() == 2) {
            out.arrayHeader(AclCategories.ALL.size());
            AclCategories.ALL.forEach(out::bulk);
            return;
        }
        String category = r.string(2).toLowerCase(Locale.ROOT);
        if (!AclCategories.ALL.contains(category)) {
            out.error("ERR Unknown category '" + r.string(2) + "'");
            return;
        }
        java.util.Set<Command> in = java.util.EnumSet.noneOf(Command.class);
        in.addAll(AclCategories.commandsIn(category));
        String flag = "+@" + category;
        List<String> names = new java.util.ArrayList<>();
        for (Command c : Command.values()) { // as Redis's aclCatWithFlags: each command of the category, then its subcommands of it
            if (in.contains(c)) {
                names.add(c.lowerName);
            }
            CommandFacts.Facts facts = CommandFacts.of(c.lowerName);
            for (Object sub : facts == null ? List.of() : CommandFacts.subcommands(facts.info())) {
                List<?> entry = (List<?>) sub;
                if (CommandFacts.items(entry.get(6)).contains(flag)) {
                    names.add(((String) entry.get(0)).substring(1)); // "object|encoding"
                }
            }
        }
        out.arrayHeader(names.size());
        names.forEach(out::bulk);
    }

    /** DRYRUN user command [arg ...]: OK, or why the user may not run it (Redis's words), without running it or logging. */
    private static void dryRun(KvNode node, Request r, ReplyWriter out) {
        AclUser user = node.acl.get(r.string(2));
        if (user == null) {
            out.error("ERR User '" + r.string(2) + "' not found");
            return;
        }
        Command c = CommandDocs.named(r.string(3));
        if (c == null) {
            out.error("ERR Command '" + r.string(3) + "' not found");
            return;
        }
        if (!c.arityOk(r.count() - 3)) {
            out.error(KvConnection.wrongArity(c.lowerName));
            return;
        }
        Request inner = new Request();
        inner.reset(r.bytes);
        for (int i = 3; i < r.count(); i++) {
            inner.add(r.offset(i), r.length(i));
        }
        long refused = user.rules.check(c, inner);
        int reason = (int) (refused >>> 32);
        switch (reason) {
            case AclSelector.OK -> out.ok();
            case AclSelector.DENIED_COMMAND -> out.bulk("This user has no permissions to run the '"
                    + AclIds.name(AclIds.of(c, inner)) + "' command");
            case AclSelector.DENIED_KEY -> out.bulk("This user has no permissions to access the '"
                    + inner.string((int) refused) + "' key");
            default -> out.bulk("This user has no permissions to access the '" + inner.string((int) refused) + "' channel");
        }
    }

    /** GENPASS [bits]: that many random bits (256 by default) as hexadecimal digits, as Redis. */
    private static void genPass(Request r, ReplyWriter out) {
        long bits = 256;
        if (r.count() == 3) {
            if (!r.longAt(2)) {
                out.error(KvShard.NOT_INTEGER);
                return;
            }
            if (r.number <= 0 || r.number > 4096) {
                out.error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
                return;
            }
            bits = r.number;
        }
        int digits = (int) ((bits + 3) / 4);
        byte[] random = new byte[(digits + 1) / 2];
        RANDOM.nextBytes(random);
        out.bulk(HexFormat.of().formatHex(random).substring(0, digits));
    }

    /** The password's SHA-256 in lower-case hexadecimal: how Redis shows a user's password. */
    static String sha256(String password) {
        return sha256(password.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
