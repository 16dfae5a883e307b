package dev.atoll.drivers;

import dev.atoll.config.DriverKind;

/**
 * The driver {@link Drivers#choose} picked and why, e.g. {@code epoll} because
 * {@code "io_uring driver not built yet; epoll"}.
 */
public record DriverChoice(DriverKind kind, String reason) {
}
