package dev.atoll.drivers;

import java.util.Arrays;

/**
 * A driver's operations in flight: one slot each, found again from a completion or an event by its
 * index, a free list, and growth by doubling (rare: only past the most operations ever in flight), so a
 * submission allocates nothing once the table has grown. A driver keeps per-slot state of its own in
 * arrays of {@link #capacity()} entries. Shard thread only.
 *
 * <p>Each slot counts its claims: its {@link #generation(int)} names one use of the slot, whatever
 * operation object fills it, so a completion that names a slot and a generation (io_uring's
 * {@code user_data}) is recognised as stale once the slot was released, even when a different
 * operation object, with its own history, has claimed it since.
 */
public final class OperationSlots {
    private final int maxSlots;
    private Operation[] operations = new Operation[0];
    /** Per slot: bumped by each claim. */
    private int[] generations = new int[0];
    /** Next free slot after each free slot; -1 ends the list. */
    private int[] nextFree = new int[0];
    private int freeHead = -1;
    private int inUse;

    /** A table of {@code initialCapacity} slots that grows up to {@code maxSlots}. */
    public OperationSlots(int initialCapacity, int maxSlots) {
        this.maxSlots = maxSlots;
        grow(initialCapacity);
    }

    /**
     * Gives {@code operation} a free slot with a new generation, records the slot in the operation, and
     * returns it; the table may grow (then {@link #capacity()} is larger).
     *
     * @throws IllegalStateException when the operation is in flight already, or the table is at its bound
     */
    public int claim(Operation operation) {
        if (operation.driverSlot() >= 0) {
            throw new IllegalStateException("operation is already submitted and not completed");
        }
        if (freeHead < 0) {
            if (operations.length >= maxSlots) {
                throw new IllegalStateException("more than " + maxSlots + " operations in flight");
            }
            grow(Math.min(maxSlots, operations.length * 2));
        }
        int slot = freeHead;
        freeHead = nextFree[slot];
        generations[slot]++;
        operation.driverSlot(slot);
        operations[slot] = operation;
        inUse++;
        return slot;
    }

    /** The operation in {@code slot}, or null when the slot is free or outside the table. */
    public Operation get(int slot) {
        return slot >= 0 && slot < operations.length ? operations[slot] : null;
    }

    /** The generation of {@code slot}'s current (or, once released, latest) claim. */
    public int generation(int slot) {
        return generations[slot];
    }

    /** Frees {@code slot} and returns its operation, which is no longer in flight. */
    public Operation release(int slot) {
        Operation operation = operations[slot];
        operation.driverSlot(-1);
        operations[slot] = null;
        nextFree[slot] = freeHead;
        freeHead = slot;
        inUse--;
        return operation;
    }

    /** Slots in the table now. */
    public int capacity() {
        return operations.length;
    }

    /** Operations in flight. */
    public int inUse() {
        return inUse;
    }

    private void grow(int capacity) {
        int old = operations.length;
        operations = Arrays.copyOf(operations, capacity);
        nextFree = Arrays.copyOf(nextFree, capacity);
        generations = Arrays.copyOf(generations, capacity);
        for (int slot = capacity - 1; slot >= old; slot--) {
            nextFree[slot] = freeHead;
            freeHead = slot;
        }
    }
}
