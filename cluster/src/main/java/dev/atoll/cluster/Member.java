package dev.atoll.cluster;

import java.nio.charset.StandardCharsets;

/**
 * One node in the member list: what it advertised when it joined, and its incarnation. A node that
 * loses its membership (its session expired) and joins again is a new member: same name, a higher
 * incarnation; nothing addressed to the old incarnation reaches the new one.
 *
 * @param name        the node's name ({@code atoll.cluster.node-name})
 * @param host        the host other nodes reach it at
 * @param port        its port for remote messages
 * @param shards      its number of shards
 * @param incarnation increases every time any node joins the cluster (the sequence number of its znode)
 */
public record Member(String name, String host, int port, int shards, long incarnation) {

    /** What a node advertises in its znode: one field a line (the incarnation is the znode's own sequence number). */
    byte[] advertisement() {
        return (name + "\n" + host + "\n" + port + "\n" + shards + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The member a znode describes, or an {@link IllegalArgumentException} saying what is wrong with it. */
    static Member parse(byte[] data, long incarnation) {
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < 4) {
            throw new IllegalArgumentException("expected 4 lines (name, host, port, shards), found " + lines.length);
        }
        try {
            return new Member(lines[0], lines[1], Integer.parseInt(lines[2]), Integer.parseInt(lines[3]), incarnation);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port or shards is not a number: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name + "#" + incarnation + "@" + host + ":" + port + "/" + shards + " shards";
    }
}
