package dev.atoll.drivers;

/**
 * One request to a {@link Driver}, completed on the shard thread through {@link #complete(int, int)}.
 *
 * <p>An operation is owned by its driver from {@link Driver#submit(Operation)} until its final
 * completion; only then may it, and the memory it names, be reused. Results follow the kernel's
 * convention: a value {@code >= 0} on success, {@code -errno} on failure.
 *
 * <p>The driver keeps its bookkeeping in the fields it reaches through {@link #driverSlot()} so an
 * operation costs no allocation per submission.
 */
public abstract class Operation {
    private Opcode opcode = Opcode.NOP;
    private int fd = -1;
    private int pollEvents;
    /** Driver bookkeeping: index of the operation in the driver's table, or -1 when not submitted. */
    private int driverSlot = -1;
    /** Driver bookkeeping: bumped on each reuse so a stale completion is recognised. */
    private int generation;

    /** Makes this a NOP. */
    public final Operation prepareNop() {
        this.opcode = Opcode.NOP;
        this.fd = -1;
        this.pollEvents = 0;
        return this;
    }

    /** Makes this a one-shot readiness wait on a descriptor the caller owns. */
    public final Operation preparePoll(int fd, int pollEvents) {
        this.opcode = Opcode.POLL;
        this.fd = fd;
        this.pollEvents = pollEvents;
        return this;
    }

    public final Opcode opcode() {
        return opcode;
    }

    public final int fd() {
        return fd;
    }

    public final int pollEvents() {
        return pollEvents;
    }

    public final int driverSlot() {
        return driverSlot;
    }

    public final void driverSlot(int slot) {
        this.driverSlot = slot;
    }

    public final int generation() {
        return generation;
    }

    public final void nextGeneration() {
        this.generation++;
    }

    /**
     * Called by the driver on the shard thread. {@code result} is {@code >= 0} on success or
     * {@code -errno}; {@code flags} holds {@link Completion} bits.
     */
    public abstract void complete(int result, int flags);
}
