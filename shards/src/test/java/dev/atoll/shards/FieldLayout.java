package dev.atoll.shards;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where HotSpot placed the instance fields of a class, measured with {@code jdk.internal.misc.Unsafe}
 * (the tests' JVM gets {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}; no code outside
 * tests uses it). Declaration order says nothing about field order in the object, and JOL is not a
 * dependency of the project, so the layout tests ask the JVM that runs them.
 */
public final class FieldLayout {
    /** Apple Silicon's cache line; also covers x86's pair of 64-byte lines fetched together. */
    public static final int SEPARATION = 128;

    /** One field of an object: its declaring class, name, offset and size in bytes. */
    public record Slot(Class<?> owner, String name, long offset, long size) {
        long end() {
            return offset + size;
        }
    }

    private FieldLayout() {
    }

    /** Every instance field of {@code type} and its superclasses, with its offset. */
    public static List<Slot> of(Class<?> type) {
        List<Slot> slots = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    slots.add(new Slot(c, f.getName(), offset(c, f.getName()), size(f.getType())));
                }
            }
        }
        return slots;
    }

    /**
     * Asserts that the fields named {@code hot} of {@code type} are at least {@link #SEPARATION} bytes from
     * every other field that is not padding ({@code padding} names the padding fields' declaring classes),
     * and from both ends of the object, so no other field and no neighbouring object shares their line.
     */
    public static void assertIsolated(Class<?> type, Set<String> hot, Collection<Class<?>> padding) {
        List<Slot> slots = of(type);
        List<Slot> hotSlots = slots.stream().filter(s -> hot.contains(s.name())).toList();
        assertTrue(hotSlots.size() == hot.size(), "fields " + hot + " not all found in " + slots);
        long objectEnd = slots.stream().mapToLong(Slot::end).max().orElseThrow();
        for (Slot h : hotSlots) {
            assertTrue(h.offset() >= SEPARATION, h + " is within " + SEPARATION + " bytes of the object's start");
            assertTrue(objectEnd - h.offset() >= SEPARATION, h + " is within " + SEPARATION
                    + " bytes of the object's end (" + objectEnd + ")");
            for (Slot other : slots) {
                if (hot.contains(other.name()) || padding.contains(other.owner())) {
                    continue;
                }
                long distance = Math.abs(other.offset() - h.offset());
                assertTrue(distance >= SEPARATION, h + " and " + other + " are " + distance + " bytes apart in "
                        + type.getName() + ": " + slots);
            }
        }
    }

    /** The offset of field {@code name} declared by {@code owner}. */
    public static long offset(Class<?> owner, String name) {
        try {
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            Method objectFieldOffset = unsafeClass.getMethod("objectFieldOffset", Class.class, String.class);
            return (long) objectFieldOffset.invoke(unsafe, owner, name);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot measure field offsets (is jdk.internal.misc exported to the tests?)", e);
        }
    }

    private static long size(Class<?> type) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        if (type == byte.class || type == boolean.class) {
            return 1;
        }
        return 4; // a reference: compressed oops (8 without them; the separation checks use offsets only)
    }
}
