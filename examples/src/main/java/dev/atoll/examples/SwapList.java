package dev.atoll.examples;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One shard's open connections (or any members that know their place in it): add and remove in O(1),
 * the last member moving into a removed one's slot. A member keeps its index in the list so that its
 * removal needs no search. This shard's thread only.
 *
 * @param <T> the members
 */
public final class SwapList<T extends SwapList.Member> {
    /** A member of one list at most: it keeps its index there, -1 when in none. */
    public abstract static class Member {
        int listIndex = -1;   // the list's, through the type variable: not private
    }

    private Object[] items = new Object[16];
    private int size;

    public void add(T member) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        member.listIndex = size;
        items[size++] = member;
    }

    /** Removes {@code member}; nothing when it is in no list. */
    public void remove(T member) {
        int i = member.listIndex;
        if (i < 0) {
            return;
        }
        @SuppressWarnings("unchecked")
        T last = (T) items[--size];
        items[i] = last;
        last.listIndex = i;
        items[size] = null;
        member.listIndex = -1;
    }

    public int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    public T get(int index) {
        return (T) items[index];
    }

    /**
     * Calls {@code action} on every member, from the last; {@code action} may remove the member it is
     * given (the last one, already visited, moves into its slot), so closing every one is safe.
     */
    public void forEach(Consumer<? super T> action) {
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) {
                action.accept(get(i));
            }
        }
    }
}
