package dev.atoll.examples.kv;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis's ACL file ({@code kv.aclfile}): one {@code user <name> <rule> ...} line per user, as ACL LIST
 * prints them. {@link #read} parses it as redis-server 7.0.15 does — lines split on single spaces,
 * blank lines skipped (a {@code #} comment is not: Redis 7.0 refuses it too), every error collected
 * in Redis's words, and nothing applied when there is one; {@link #save} writes it whole to a
 * temporary file, synced, then renamed over the old one.
 */
final class AclFile {
    /** What a read found: the users in the file's order, or Redis's error text (then no user is applied). */
    record Loaded(Map<String, AclRules> users, String errors) { }

    private AclFile() {
    }

    static Loaded read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Loaded(Map.of(), "Error loading ACLs, opening file '" + file + "': No such file or directory");
        } catch (IOException e) {
            return new Loaded(Map.of(), "Error loading ACLs, opening file '" + file + "': " + e.getMessage());
        }
        Map<String, AclRules> users = new LinkedHashMap<>();
        StringBuilder errors = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = strip(lines[i], " \t\r\n");
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split(" ", -1);
            if (!words[0].equals("user") || words.length < 2) {
                errors.append(file).append(':').append(lineNumber)
                        .append(" should start with user keyword followed by the username. ");
                continue;
            }
            String name = words[1];
            if (users.containsKey(name)) {
                errors.append("WARNING: Duplicate user '").append(name).append("' found on line ").append(lineNumber)
                        .append(". ");
                continue;
            }
            List<String> rules = mergeSelectors(List.of(words).subList(2, words.length));
            if (rules == null) {
                errors.append(file).append(':').append(lineNumber).append(": Unmatched parenthesis in selector definition.");
                continue;
            }
            AclRules user = AclRules.created().copy();
            String refused = null;
            for (String rule : rules) {
                refused = user.apply(strip(rule, "\t\r\n"));
                if (refused != null) {
                    break;
                }
            }
            if (refused != null) {
                errors.append(file).append(':').append(lineNumber).append(": ").append(refused).append(". ");
                continue;
            }
            users.put(name, user.seal());
        }
        if (!errors.isEmpty()) {
            errors.append("WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
            return new Loaded(Map.of(), errors.toString());
        }
        return new Loaded(users, null);
    }

    /** Writes every user's line to {@code file}: a temporary file beside it, synced, then moved over it. */
    static void save(Path file, List<AclUser> users) throws IOException {
        StringBuilder text = new StringBuilder();
        for (AclUser u : users) {
            text.append("user ").append(u.name).append(' ').append(u.rules.describe()).append('\n');
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Redis's ACLMergeSelectorArguments: a rule starting with {@code (} runs, joined by spaces, to the
     * first one ending with {@code )}; null when one is never closed ({@link #unmatched} says where).
     */
    static List<String> mergeSelectors(List<String> rules) {
        return unmatched(rules) == null ? merged(rules) : null;
    }

    /** The rule whose {@code (} is never closed, or null. */
    static String unmatched(List<String> rules) {
        String open = null;
        for (String rule : rules) {
            if (open == null && rule.startsWith("(") && !rule.endsWith(")")) {
                open = rule;
            } else if (open != null && rule.endsWith(")")) {
                open = null;
            }
        }
        return open;
    }

    private static List<String> merged(List<String> rules) {
        List<String> merged = new ArrayList<>();
        StringBuilder selector = null;
        for (String rule : rules) {
            if (selector == null && rule.startsWith("(") && !rule.endsWith(")")) {
                selector = new StringBuilder(rule);
            } else if (selector != null) {
                selector.append(' ').append(rule);
                if (rule.endsWith(")")) {
                    merged.add(selector.toString());
                    selector = null;
                }
            } else {
                merged.add(rule);
            }
        }
        return merged;
    }

    /** {@code s} without the characters of {@code chars} at either end (Redis's sdstrim). */
    private static String strip(String s, String chars) {
        int from = 0;
        int to = s.length();
        while (from < to && chars.indexOf(s.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && chars.indexOf(s.charAt(to - 1)) >= 0) {
            to--;
        }
        return s.substring(from, to);
    }
}
