package dev.atoll.benchmarks;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The configuration both Pekko peers run with: exactly {@code threads} threads in a fork-join
 * dispatcher (the internal dispatcher aliased to it), the given throughput, no Java serialization,
 * quiet logging. Two more dispatchers of one thread each, {@link #SIDE_0} and {@link #SIDE_1}, hold
 * the two sides of the ping-pong case whose every message crosses threads, as Atoll's crosses shards;
 * their threads start only when an actor is placed on them. Built from a string over Pekko's own {@code reference.conf}, so nothing of it
 * reaches Atoll's configuration and no application.conf reaches Pekko.
 */
final class PekkoConfig {
    /** A one-thread dispatcher for the left actors of the one-side-per-thread ping-pong. */
    static final String SIDE_0 = "bench-dispatchers.side-0";
    /** A one-thread dispatcher for the right actors of the one-side-per-thread ping-pong. */
    static final String SIDE_1 = "bench-dispatchers.side-1";

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
                bench-dispatchers {
                  side-0 {
                    type = Dispatcher
                    executor = "fork-join-executor"
                    fork-join-executor { parallelism-min = 1, parallelism-max = 1, parallelism-factor = 1.0 }
                    throughput = %d
                  }
                  side-1 = ${bench-dispatchers.side-0}
                }
                """.formatted(threads, threads, throughput, throughput)).resolve().withFallback(ConfigFactory.defaultReference());
    }
}
