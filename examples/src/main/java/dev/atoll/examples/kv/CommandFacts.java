package dev.atoll.examples.kv;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What redis-server 7.0.15 answers to COMMAND INFO and COMMAND DOCS for each of its commands, read
 * from the resource {@code kv/redis-commands.json} that {@code examples/scripts/redis-commands.py}
 * wrote from a running redis-server (RESP3 replies with their types: {@code "$bulk"}, {@code "+simple"},
 * numbers, lists, {@code {"%": [k, v, ...]}} maps, {@code {"~": [...]}} sets). {@link CommandDocs} takes
 * the key specs, tips, subcommands and docs from here, so they are Redis's own, and writes them in
 * either protocol ({@link #write}: a map or set becomes a flat array in RESP2, as Redis writes it).
 * Loaded at the first COMMAND that needs it (about 250 KB of JSON).
 */
final class CommandFacts {
    /** A RESP3 map: keys and values alternating. */
    record RespMap(List<Object> items) {
        /** The value of bulk key {@code key}, or null. */
        Object get(String key) {
            for (int i = 0; i < items.size(); i += 2) {
                if (items.get(i).equals("$" + key)) {
                    return items.get(i + 1);
                }
            }
            return null;
        }
    }

    /** A RESP3 set. */
    record RespSet(List<Object> items) { }

    /** One command's or subcommand's facts: its COMMAND INFO entry (10 elements) and its COMMAND DOCS map. */
    record Facts(List<Object> info, RespMap docs) { }

    private static final class Holder {
        static final Map<String, Facts> BY_NAME = load();
    }

    private CommandFacts() {
    }

    /** Redis's facts about the command named {@code name} (lower case; {@code config|get} for a subcommand's info), or null. */
    static Facts of(String name) {
        return Holder.BY_NAME.get(name);
    }

    /** Writes {@code node} as Redis would in {@code out}'s protocol. */
    static void write(Object node, ReplyWriter out) {
        switch (node) {
            case null -> out.nullBulk();
            case String s when s.startsWith("+") -> out.simple(s.substring(1));
            case String s -> out.bulk(s.substring(1));
            case Long n -> out.integer(n);
            case List<?> list -> {
                out.arrayHeader(list.size());
                list.forEach(item -> write(item, out));
            }
            case RespSet set -> {
                out.setHeader(set.items().size());
                set.items().forEach(item -> write(item, out));
            }
            case RespMap map -> {
                out.mapHeader(map.items().size() / 2);
                map.items().forEach(item -> write(item, out));
            }
            default -> throw new IllegalArgumentException("not a reply: " + node);
        }
    }

    private static Map<String, Facts> load() {
        try (InputStream in = CommandFacts.class.getResourceAsStream("/kv/redis-commands.json");
             JsonParser p = new JsonFactory().createParser(in)) {
            Map<String, Facts> byName = new HashMap<>();
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                expect(p.nextToken(), JsonToken.START_OBJECT);
                List<Object> info = null;
                RespMap docs = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    Object value = node(p);
                    if (field.equals("info")) {
                        info = castList(value);
                    } else {
                        docs = (RespMap) value;
                    }
                }
                byName.put(name, new Facts(info, docs));
                RespMap subDocs = docs == null ? null : (RespMap) docs.get("subcommands");
                for (Object sub : subcommands(info)) { // config|get: a subcommand's own entry (COMMAND INFO config|get, LIST)
                    List<Object> entry = castList(sub);
                    String subName = ((String) entry.get(0)).substring(1);
                    byName.put(subName, new Facts(entry, subDocs == null ? null : (RespMap) subDocs.get(subName)));
                }
            }
            return byName;
        } catch (IOException e) {
            throw new UncheckedIOException("kv/redis-commands.json", e);
        }
    }

    /** The subcommand entries of a COMMAND INFO entry (its 10th element). */
    static List<Object> subcommands(List<Object> info) {
        return items(info.get(9));
    }

    /** The elements of a set or an array (redis-server 7.0.15 writes an empty list as a set, some full ones as arrays). */
    static List<Object> items(Object setOrArray) {
        return setOrArray instanceof RespSet set ? set.items() : castList(setOrArray);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    private static void expect(JsonToken token, JsonToken wanted) throws IOException {
        if (token != wanted) {
            throw new IOException("kv/redis-commands.json: expected " + wanted + ", found " + token);
        }
    }

    /** The tree at the current token. */
    private static Object node(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NULL -> {
                return null;
            }
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(node(p));
                }
                return items;
            }
            case START_OBJECT -> {
                expect(p.nextToken(), JsonToken.FIELD_NAME);
                String kind = p.currentName();
                p.nextToken();
                List<Object> items = castList(node(p));
                expect(p.nextToken(), JsonToken.END_OBJECT);
                return kind.equals("%") ? new RespMap(items) : new RespSet(items);
            }
            default -> throw new IOException("kv/redis-commands.json: unexpected " + t);
        }
    }
}
