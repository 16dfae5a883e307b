package dev.atoll.config;

/**
 * The macOS quality-of-service class a shard thread asks for; the scheduler keeps the higher classes
 * on performance cores. {@code NONE} leaves the thread's class alone. Ignored on Linux.
 */
public enum QosClass {
    USER_INTERACTIVE, USER_INITIATED, DEFAULT, UTILITY, BACKGROUND, NONE
}
