package dev.atoll.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The configuration both Pekko peers run with: exactly {@code threads} threads in a fork-join
 * dispatcher (the internal dispatcher aliased to it), the given throughput, no Java serialization,
 * quiet logging. Built from a string over Pekko's own {@code reference.conf}, so nothing of it
 * reaches Atoll's configuration and no application.conf reaches Pekko.
 */
final class PekkoConfig {
    private PekkoConfig() {
    }

    static Config of(int threads, int throughput) {
        return ConfigFactory.parseString("""
                pekko {
                  loglevel = WARNING
                  stdout-loglevel = WARNING
                  log-dead-letters = off
                  log-dead-letters-during-shutdown = off
                  coordinated-shutdown.run-by-jvm-shutdown-hook = off
                  actor {
                    allow-java-serialization = off
                    default-dispatcher {
                      executor = "fork-join-executor"
                      fork-join-executor { parallelism-min = %d, parallelism-max = %d, parallelism-factor = 1.0 }
                      throughput = %d
                    }
                    internal-dispatcher = "pekko.actor.default-dispatcher"
                  }
                }
                """.formatted(threads, threads, throughput)).withFallback(ConfigFactory.defaultReference());
    }
}
