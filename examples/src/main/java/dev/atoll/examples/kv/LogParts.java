package dev.atoll.examples.kv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of one shard's log and what a replay reads of them. A log is a base (a rewrite's snapshot) and
 * incremental files, each of a generation: {@code appendonly-<shard>-of-<count>.<g>.base.aof} and
 * {@code appendonly-<shard>-of-<count>.<g>.incr.aof}. Live records go to the newest incremental file. A rewrite
 * to generation {@code g} makes {@code g.incr} before its base and renames its base into place last, so that one
 * atomic rename decides what a replay reads: the base of the highest generation {@code G} that has one, then
 * every incremental file of generation {@code G} or later in order (without a base, every incremental file).
 * The single file of earlier builds, {@code appendonly-<shard>-of-<count>.aof}, is the incremental file of
 * generation 0. Redis 7.0 keeps such a list in a manifest because its renames of several files are not atomic;
 * here the names are the manifest.
 */
final class LogParts {
    private static final Pattern NAME =
            Pattern.compile("appendonly-(\\d+)-of-(\\d+)(?:\\.(\\d+)\\.(base|incr))?\\.aof");
    /** A rewrite writes its base under this suffix and renames it into place once synced. */
    static final String UNFINISHED = ".rewrite";

    private LogParts() {
    }

    /** One file of a log: whose ({@code shard} of {@code count}), its generation, whether a base, its size when found. */
    record Part(Path path, int shard, int count, long generation, boolean base, long size) {
        /** The same part with its size. */
        Part sized(long bytes) {
            return new Part(path, shard, count, generation, base, bytes);
        }
    }

    /** The log of shard {@code shard} of {@code count} in {@code dir}: names its parts. */
    record Log(Path dir, int shard, int count) {
        Path incremental(long generation) {
            return dir.resolve(prefix() + "." + generation + ".incr.aof");
        }

        Path base(long generation) {
            return dir.resolve(prefix() + "." + generation + ".base.aof");
        }

        /** Where a rewrite writes the base of {@code generation} before its rename. */
        Path unfinishedBase(long generation) {
            return dir.resolve(prefix() + "." + generation + ".base.aof" + UNFINISHED);
        }

        /** What its files' names start with, for messages. */
        String prefix() {
            return "appendonly-" + shard + "-of-" + count;
        }
    }

    /** The part {@code file} names (size 0), or null when it is no log's. */
    static Part parse(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return null;
        }
        long generation = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return new Part(file, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), generation,
                "base".equals(m.group(4)), 0);
    }

    /**
     * What a replay of one log reads, in order ({@code replayed}: the newest base, then the incremental files from
     * its generation on), and the parts it leaves out ({@code obsolete}: older generations, which a rewrite that
     * stopped between its base's rename and the deletes left behind).
     */
    record Selection(List<Part> replayed, List<Part> obsolete) { }

    /** Selects what to replay of the parts of one log (one shard, one count), in any order. */
    static Selection select(List<Part> parts) {
        long newestBase = -1;
        for (Part p : parts) {
            if (p.base()) {
                newestBase = Math.max(newestBase, p.generation());
            }
        }
        List<Part> replayed = new ArrayList<>();
        List<Part> obsolete = new ArrayList<>();
        for (Part p : parts) {
            boolean current = p.base() ? p.generation() == newestBase : p.generation() >= newestBase;
            (current ? replayed : obsolete).add(p);
        }
        // the base first (its generation ties with the first incremental file's), then by generation
        replayed.sort(Comparator.comparingLong(Part::generation).thenComparing(p -> !p.base()));
        return new Selection(replayed, obsolete);
    }
}
