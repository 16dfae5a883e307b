package dev.atoll.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one ACL user is, as Redis 7.0 keeps it: on or off, {@code nopass} or its passwords (their
 * SHA-256), the payload flag, its root {@link AclSelector} and its other selectors {@code (...)}.
 * ACL SETUSER applies rules to a {@link #copy}, and publishes the copy only when every rule was
 * accepted ({@link AclUser#rules} is volatile); a published one is never changed again, so any shard
 * reads it without a lock.
 */
final class AclRules {
    private static final String PAYLOAD_SANITIZE = "sanitize-payload";
    private static final String PAYLOAD_SKIP = "skip-sanitize-payload";

    private boolean enabled;
    private boolean nopass;
    /** {@link #PAYLOAD_SANITIZE}, {@link #PAYLOAD_SKIP} or null (neither was set). */
    private String payload;
    private final List<String> passwords;
    private final AclSelector root;
    private final List<AclSelector> selectors;
    /** On, every command, key and channel, no selector: the connection's check is one read of this. */
    boolean unrestricted;

    private AclRules(boolean enabled, boolean nopass, String payload, List<String> passwords, AclSelector root,
                     List<AclSelector> selectors) {
        this.enabled = enabled;
        this.nopass = nopass;
        this.payload = payload;
        this.passwords = passwords;
        this.root = root;
        this.selectors = selectors;
    }

    /** A new user's: off, no password, no key or channel, no command. */
    static AclRules created() {
        return new AclRules(false, false, null, new ArrayList<>(), new AclSelector(), new ArrayList<>()).seal();
    }

    /** The {@code default} user's at start: on, every command, key and channel; nopass, or {@code requirepass}. */
    static AclRules defaultUser(String requirepass) {
        AclRules rules = created().copy();
        for (String op : new String[] {"on", "~*", "&*", "+@all"}) {
            rules.apply(op);
        }
        rules.apply(requirepass.isEmpty() ? "nopass" : ">" + requirepass);
        return rules.seal();
    }

    AclRules copy() {
        List<AclSelector> others = new ArrayList<>();
        selectors.forEach(s -> others.add(s.copy()));
        return new AclRules(enabled, nopass, payload, new ArrayList<>(passwords), root.copy(), others);
    }

    /** Computes {@link #unrestricted}: called once every rule is applied, before it is published. */
    AclRules seal() {
        unrestricted = enabled && selectors.isEmpty() && root.unrestricted();
        return this;
    }

    boolean enabled() {
        return enabled;
    }

    // ---- rules ----

    /** Applies one SETUSER rule: null when done, else Redis's reason. */
    String apply(String op) {
        String lower = op.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "on" -> enabled = true;
            case "off" -> enabled = false;
            case "nopass" -> {
                nopass = true;
                passwords.clear();
            }
            case "resetpass" -> {
                nopass = false;
                passwords.clear();
            }
            case PAYLOAD_SANITIZE, PAYLOAD_SKIP -> payload = lower;
            case "clearselectors" -> selectors.clear();
            case "reset" -> {
                for (String each : new String[] {"resetpass", "resetkeys", "resetchannels", "off", PAYLOAD_SANITIZE,
                        "clearselectors", "-@all"}) {
                    apply(each);
                }
            }
            default -> {
                return applyOther(op);
            }
        }
        return null;
    }

    private String applyOther(String op) {
        if (op.startsWith(">") || op.startsWith("#")) {
            String hash = op.startsWith(">") ? AclCommands.sha256(op.substring(1)) : op.substring(1);
            if (op.startsWith("#") && !isHash(hash)) {
                return BAD_HASH;
            }
            if (!passwords.contains(hash)) {
                passwords.add(hash);
            }
            nopass = false;
            return null;
        }
        if (op.startsWith("<") || op.startsWith("!")) {
            String hash = op.startsWith("<") ? AclCommands.sha256(op.substring(1)) : op.substring(1);
            if (op.startsWith("!") && !isHash(hash)) {
                return BAD_HASH;
            }
            if (!passwords.remove(hash)) {
                return "The password you are trying to remove from the user does not exist";
            }
            return null;
        }
        if (op.startsWith("(") && op.endsWith(")")) {
            AclSelector selector = new AclSelector();
            for (String each : op.substring(1, op.length() - 1).trim().split("\\s+")) {
                String refused = each.isEmpty() ? null : selector.apply(each);
                if (refused != null) {
                    return refused;
                }
            }
            selectors.add(selector);
            return null;
        }
        return root.apply(op);
    }

    private static final String BAD_HASH = "The password hash must be exactly 64 characters and contain only lowercase"
            + " hexadecimal characters";

    private static boolean isHash(String hash) {
        return hash.length() == 64 && hash.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    // ---- what it says ----

    /** The rules after {@code user <name> }, as ACL LIST and the ACL file write them. */
    String describe() {
        StringBuilder text = new StringBuilder();
        flags().forEach(f -> text.append(f).append(' '));
        passwords.forEach(p -> text.append('#').append(p).append(' '));
        text.append(root.describe());
        selectors.forEach(s -> text.append(" (").append(s.describe()).append(')'));
        return text.toString();
    }

    private List<String> flags() {
        List<String> flags = new ArrayList<>();
        flags.add(enabled ? "on" : "off");
        if (nopass) {
            flags.add("nopass");
        }
        if (payload != null) {
            flags.add(payload.equals(PAYLOAD_SKIP) ? PAYLOAD_SKIP : PAYLOAD_SANITIZE);
        }
        return flags;
    }

    /** ACL GETUSER's reply, Redis 7.0's map (pairs in RESP2). */
    void getUser(ReplyWriter out) {
        List<String> flags = flags();
        out.mapHeader(6).bulk("flags").setHeader(flags.size());
        flags.forEach(out::bulk);
        out.bulk("passwords").arrayHeader(passwords.size());
        passwords.forEach(out::bulk);
        out.bulk("commands").bulk(root.describeCommands()).bulk("keys").bulk(root.describeKeys())
                .bulk("channels").bulk(root.describeChannels()).bulk("selectors").arrayHeader(selectors.size());
        for (AclSelector s : selectors) {
            out.mapHeader(3).bulk("commands").bulk(s.describeCommands()).bulk("keys").bulk(s.describeKeys())
                    .bulk("channels").bulk(s.describeChannels());
        }
    }

    // ---- checks ----

    /** Whether {@code password} opens this user: on, and nopass or one of its passwords (compared by hash). */
    boolean opens(byte[] password) {
        if (!enabled) {
            return false;
        }
        if (nopass) {
            return true;
        }
        String hash = AclCommands.sha256(password);
        boolean found = false;
        for (String p : passwords) {
            found |= java.security.MessageDigest.isEqual(p.getBytes(StandardCharsets.US_ASCII),
                    hash.getBytes(StandardCharsets.US_ASCII));
        }
        return found;
    }

    /**
     * Whether a subscriber of this user keeps its subscriptions: each channel and shard channel matches
     * a channel pattern of one selector, each pattern equals one (Redis's ACLShouldKillPubsubClient).
     */
    boolean keepsSubscriber(PubSub.Subscriptions subscriptions) {
        for (PubSub.Name channel : subscriptions.channels) {
            if (!allowsChannel(channel, false)) {
                return false;
            }
        }
        for (PubSub.Name channel : subscriptions.shardChannels) {
            if (!allowsChannel(channel, false)) {
                return false;
            }
        }
        for (PubSub.Name pattern : subscriptions.patterns) {
            if (!allowsChannel(pattern, true)) {
                return false;
            }
        }
        return true;
    }

    /** Whether one of its selectors allows every channel (then no subscriber of it need close). */
    boolean allowsEveryChannel() {
        return root.allChannels() || selectors.stream().anyMatch(AclSelector::allChannels);
    }

    private boolean allowsChannel(PubSub.Name name, boolean isPattern) {
        String channel = new String(name.bytes, name.offset, name.length, StandardCharsets.UTF_8);
        if (root.channelAllowed(channel, isPattern)) {
            return true;
        }
        for (AclSelector s : selectors) {
            if (s.channelAllowed(channel, isPattern)) {
                return true;
            }
        }
        return false;
    }

    /** A new connection of this user is authenticated at once: on and nopass (Redis's default user without a password). */
    boolean needsNoPassword() {
        return enabled && nopass;
    }

    /**
     * Redis's ACLCheckAllUserCommandPerm: allowed when one selector allows the command whole; else the
     * refusal of highest rank among them ({@link AclSelector#check}'s packed reason and argument).
     */
    long check(Command command, Request r) {
        int id = AclIds.of(command, r);
        long worst = root.check(command, id, r);
        if (worst == AclSelector.OK) {
            return worst;
        }
        for (AclSelector s : selectors) {
            long refused = s.check(command, id, r);
            if (refused == AclSelector.OK) {
                return refused;
            }
            if (refused >>> 32 > worst >>> 32) {
                worst = refused;
            }
        }
        return worst;
    }
}
