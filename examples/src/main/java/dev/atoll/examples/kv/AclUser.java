package dev.atoll.examples.kv;

/**
 * An ACL user: its name and its current {@link AclRules}. Connections authenticated as it hold it;
 * ACL SETUSER replaces the rules whole, and the volatile write publishes them to every shard, so a
 * connection on any shard checks its next command against them.
 */
final class AclUser {
    final String name;
    /** Replaced whole by SETUSER (on its connection's shard); read by every shard's connections of this user. */
    volatile AclRules rules;

    AclUser(String name, AclRules rules) {
        this.name = name;
        this.rules = rules;
    }
}
