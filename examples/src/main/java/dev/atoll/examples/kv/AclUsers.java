package dev.atoll.examples.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The server's ACL users, by name in Redis's order (its radix tree's: byte order), one set for
 * every shard. Changes (SETUSER, DELUSER, LOAD) are rare administration: they hold this object's
 * lock against each other; readers (AUTH, GETUSER, LIST) read the concurrent map without it, and a
 * user's rules through its volatile {@link AclUser#rules}.
 */
final class AclUsers {
    static final String DEFAULT = "default";

    private final ConcurrentSkipListMap<String, AclUser> users = new ConcurrentSkipListMap<>();
    /** The user a new connection starts as; always the same object, as Redis's DefaultUser. */
    private final AclUser defaultUser;

    AclUsers(String requirepass) {
        defaultUser = new AclUser(DEFAULT, AclRules.defaultUser(requirepass));
        users.put(DEFAULT, defaultUser);
    }

    AclUser defaultUser() {
        return defaultUser;
    }

    /** The user named {@code name}, or null. */
    AclUser get(String name) {
        return users.get(name);
    }

    List<AclUser> all() {
        return new ArrayList<>(users.values());
    }

    /**
     * SETUSER: applies {@code rules} in order to a copy of the user's (a new user's when it has none)
     * and publishes it; the first refused rule's index and reason as a Redis error text, else null.
     */
    synchronized String set(String name, List<String> rules) {
        AclUser user = users.get(name);
        AclRules changed = user == null ? AclRules.created().copy() : user.rules.copy();
        for (String rule : rules) {
            String refused = changed.apply(rule);
            if (refused != null) {
                return "ERR Error in ACL SETUSER modifier '" + rule + "': " + refused;
            }
        }
        changed.seal();
        if (user == null) {
            users.put(name, new AclUser(name, changed));
        } else {
            user.rules = changed; // volatile: every shard's connections of the user see it at their next command
        }
        return null;
    }

    /** DELUSER: removes these users (not {@code default}); the removed ones, whose connections must close. */
    synchronized List<AclUser> delete(List<String> names) {
        List<AclUser> removed = new ArrayList<>();
        for (String name : names) {
            AclUser user = name.equals(DEFAULT) ? null : users.remove(name);
            if (user != null) {
                removed.add(user);
            }
        }
        return removed;
    }

    /**
     * ACL LOAD / the file at start: every user becomes one of {@code loaded} (name to rules, in the
     * file's order). As in Redis the {@code default} user stays the same object (its connections keep
     * it) and takes the file's rules, or {@code defaultRules} when the file has none; the users that
     * were (other than default) are returned: their connections must close.
     */
    synchronized List<AclUser> replaceAll(java.util.Map<String, AclRules> loaded, AclRules defaultRules) {
        List<AclUser> before = new ArrayList<>(users.values());
        before.remove(defaultUser);
        users.clear();
        loaded.forEach((name, rules) -> users.put(name, name.equals(DEFAULT) ? defaultUser : new AclUser(name, rules)));
        defaultUser.rules = loaded.getOrDefault(DEFAULT, defaultRules);
        users.put(DEFAULT, defaultUser);
        return before;
    }
}
