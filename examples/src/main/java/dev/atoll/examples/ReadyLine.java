package dev.atoll.examples;

import dev.atoll.config.DriverKind;

/**
 * The one line a server prints to stdout when it is ready to accept, which tests, benchmarks and
 * people wait for: {@code atoll ready example=http host=127.0.0.1 port=8080 driver=io_uring shards=2}.
 */
public final class ReadyLine {
    private ReadyLine() { }

    /** The line, without a line break. */
    public static String format(String example, String host, int port, DriverKind driver, int shards) {
        if (driver == DriverKind.AUTO) {
            throw new IllegalArgumentException("the ready line names the driver in use, not auto");
        }
        return "atoll ready example=" + example + " host=" + host + " port=" + port
                + " driver=" + driver.displayName() + " shards=" + shards;
    }

    /** Prints the line to stdout and flushes it, so a reader of a pipe sees it at once. */
    public static void print(String example, String host, int port, DriverKind driver, int shards) {
        System.out.println(format(example, host, port, driver, shards));
        System.out.flush();
    }
}
