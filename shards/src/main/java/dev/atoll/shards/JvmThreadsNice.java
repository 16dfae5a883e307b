package dev.atoll.shards;

import dev.atoll.drivers.JvmBackgroundThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the JVM's compiler and concurrent collector threads at {@code atoll.shards.jvm-threads-nice}
 * (Linux, {@link JvmBackgroundThreads}): lowers those present when the shards start, then looks for new
 * ones every second (the JVM starts such threads on demand) from a daemon thread of its own, which runs at
 * that nice value too.
 */
final class JvmThreadsNice implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(JvmThreadsNice.class);
    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final JvmBackgroundThreads threads;
    private final Thread thread;
    private volatile boolean running = true;

    JvmThreadsNice(int nice) {
        this.threads = new JvmBackgroundThreads(nice);
        this.thread = new Thread(this, "atoll-jvm-threads-nice");
        thread.setDaemon(true);
    }

    /** Lowers the threads there are now, then starts the rescans; returns how many it lowered (for the log). */
    int start() {
        int lowered = lowerOrStop();
        if (running) {
            thread.start();
        }
        return lowered;
    }

    void stop() {
        running = false;
        if (thread.isAlive()) {
            LockSupport.unpark(thread);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        threads.lowerCallingThread();
        while (running) {
            LockSupport.parkNanos(PERIOD_NANOS);
            if (running) {
                lowerOrStop();
            }
        }
    }

    /** One scan; a failure to list the threads (no /proc) is logged once and ends the rescans. */
    private int lowerOrStop() {
        try {
            return threads.lower();
        } catch (RuntimeException e) {
            running = false;
            log.warn("atoll.shards.jvm-threads-nice: the JVM's threads could not be listed; they keep their priority", e);
            return 0;
        }
    }
}
