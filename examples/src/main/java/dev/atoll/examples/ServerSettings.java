package dev.atoll.examples;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.DriverKind;

/**
 * What a server example starts with once its options and configuration are loaded.
 *
 * @param example the example's name
 * @param config  the merged, validated configuration (runtime settings in {@code config.settings()})
 * @param host    the address to bind
 * @param port    the port to bind; 0 = an ephemeral port
 */
public record ServerSettings(String example, AtollConfig config, String host, int port) {

    /**
     * Prints the ready line once the server accepts connections.
     *
     * @param boundPort the port actually bound (differs from {@link #port} when that was 0)
     * @param driver    the driver the shards run (never {@code AUTO})
     * @param shards    the number of shards started
     */
    public void printReady(int boundPort, DriverKind driver, int shards) {
        ReadyLine.print(example, host, boundPort, driver, shards);
    }
}
