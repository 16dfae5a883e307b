package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * ACL as Redis 7.0 answers it for a server with one user, {@code default}: on, every command, key
 * and channel ({@code +@all ~* &*}), {@code nopass} without {@code kv.requirepass}, else that
 * password (shown as Redis shows it, its SHA-256). Users cannot be added or changed (SETUSER says
 * how to set the password); ACL LOG lists the refused authentications ({@link AclLog}).
 */
final class AclCommands {
    private static final String NO_ACL_FILE = "ERR This Redis instance is not configured to use an ACL file. You may want to"
            + " specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis"
            + " configuration file set) in order to store users in the Redis configuration.";
    /** The subcommands and their arguments as Redis 7.0 lists them; the explanations are this server's. */
    private static final String[] HELP = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List the command categories, or the commands of <category>.",
        "DELUSER <username> [<username> ...]",
        "    Delete users (here: there is only 'default', which cannot be deleted).",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Tell whether the user may run the command, without running it.",
        "GETUSER <username>",
        "    Show a user's rules.",
        "GENPASS [<bits>]",
        "    Generate a random password of 256 bits, or <bits>.",
        "LIST",
        "    Show the users as an ACL file would list them.",
        "LOAD",
        "    Reload users from the ACL file (there is none here).",
        "LOG [<count> | RESET]",
        "    Show the refused authentications, newest first.",
        "SAVE",
        "    Save the users to the ACL file (there is none here).",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or change a user (refused: the one user's password is kv.requirepass).",
        "USERS",
        "    List the user names.",
        "WHOAMI",
        "    Return the connection's user name.",
        "HELP",
        "    Print this help."};
    private static final SecureRandom RANDOM = new SecureRandom();

    private AclCommands() {
    }

    static void execute(KvNode node, Request r, ReplyWriter out) {
        String sub = r.string(1).toLowerCase(Locale.ROOT);
        int n = r.count();
        String password = node.settings.password();
        switch (sub) {
            case "whoami", "users" -> {
                if (arity(sub, n == 2, out)) {
                    if (sub.equals("users")) {
                        out.arrayHeader(1);
                    }
                    out.bulk("default");
                }
            }
            case "list" -> {
                if (arity(sub, n == 2, out)) {
                    out.arrayHeader(1).bulk("user default on " + (password.isEmpty() ? "nopass" : "#" + sha256(password))
                            + " ~* &* +@all");
                }
            }
            case "getuser" -> {
                if (arity(sub, n == 3, out)) {
                    getUser(r.string(2), password, out);
                }
            }
            case "cat" -> {
                if (variadic(r, out)) {
                    cat(r, out);
                }
            }
            case "dryrun" -> {
                if (arity(sub, n >= 4, out)) {
                    dryRun(r, out);
                }
            }
            case "log" -> {
                if (!variadic(r, out)) {
                    return;
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
                    for (int i = 2; i < n; i++) {
                        if (r.string(i).equals("default")) {
                            out.error("ERR The 'default' user cannot be removed");
                            return;
                        }
                    }
                    out.integer(0);
                }
            }
            case "save", "load" -> {
                if (arity(sub, n == 2, out)) {
                    out.error(NO_ACL_FILE);
                }
            }
            case "setuser" -> {
                if (arity(sub, n >= 3, out)) {
                    out.error("ERR ACL SETUSER is not supported: this server has one user, 'default', with every"
                            + " permission; its password is the kv.requirepass setting (set it in the configuration and restart)");
                }
            }
            case "help" -> {
                if (arity(sub, n == 2, out)) {
                    out.arrayHeader(HELP.length);
                    for (String line : HELP) {
                        out.simple(line);
                    }
                }
            }
            default -> out.error("ERR unknown subcommand '" + r.string(1) + "'. Try ACL HELP.");
        }
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

    /** GETUSER: default's rules in Redis 7.0's shape (a map in RESP3, pairs in RESP2); another name: null. */
    private static void getUser(String name, String password, ReplyWriter out) {
        if (!name.equals("default")) {
            out.nullBulk();
            return;
        }
        out.mapHeader(6).bulk("flags");
        if (password.isEmpty()) {
            out.setHeader(2).bulk("on").bulk("nopass");
        } else {
            out.setHeader(1).bulk("on");
        }
        out.bulk("passwords");
        if (password.isEmpty()) {
            out.arrayHeader(0);
        } else {
            out.arrayHeader(1).bulk(sha256(password));
        }
        out.bulk("commands").bulk("+@all").bulk("keys").bulk("~*").bulk("channels").bulk("&*")
                .bulk("selectors").arrayHeader(0);
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
        List<Command> in = AclCategories.commandsIn(category);
        out.arrayHeader(in.size());
        in.forEach(c -> out.bulk(c.lowerName));
    }

    /** DRYRUN user command [arg ...]: default may run every command; Redis's errors for an unknown one or a wrong arity. */
    private static void dryRun(Request r, ReplyWriter out) {
        if (!r.string(2).equals("default")) {
            out.error("ERR User '" + r.string(2) + "' not found");
            return;
        }
        Command c = CommandDocs.named(r.string(3));
        if (c == null) {
            out.error("ERR Command '" + r.string(3) + "' not found");
        } else if (!c.arityOk(r.count() - 3)) {
            out.error(KvConnection.wrongArity(c.lowerName));
        } else {
            out.ok();
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
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
