package dev.atoll.config;

/** Which I/O driver each shard runs; {@code AUTO} picks the best one this machine supports. */
public enum DriverKind {
    AUTO, IO_URING, EPOLL, KQUEUE;

    /** The spelling used in the ready line and logs: {@code io_uring}, {@code epoll}, {@code kqueue}. */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
