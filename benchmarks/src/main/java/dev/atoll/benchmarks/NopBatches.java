package dev.atoll.benchmarks;

import dev.atoll.config.AtollSettings;
import dev.atoll.drivers.Driver;
import dev.atoll.drivers.Drivers;
import dev.atoll.drivers.Operation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one driver round trip: NOP operations submitted in batches and polled until the whole
 * batch has completed, on a platform thread that opens the driver and alone drives it (io_uring rings
 * are single-issuer), for a fixed time. The operations are reused: a batch allocates nothing.
 */
final class NopBatches {
    private final int batch;
    private final Nop[] nops;
    /** Completions counted by {@link Nop#complete}; the driving thread only. */
    private long completed;

    private NopBatches(int batch) {
        this.batch = batch;
        this.nops = new Nop[batch];
        for (int i = 0; i < batch; i++) {
            nops[i] = new Nop();
        }
    }

    /** A NOP that counts its completion. */
    private final class Nop extends Operation {
        @Override
        public void complete(int result, int flags) {
            if (result != 0) {
                throw new IllegalStateException("a NOP completed with " + result);
            }
            completed++;
        }
    }

    /**
     * NOPs per second through the driver {@code settings} choose, {@code batch} per poll, for
     * {@code duration} (after a warm-up of a quarter of it, not counted).
     */
    static double perSecond(AtollSettings settings, int batch, Duration duration) {
        CompletableFuture<Double> result = new CompletableFuture<>();
        Thread.ofPlatform().name("nop-batches-" + settings.driver().displayName()).start(() -> {
            try (Driver driver = Drivers.open(settings)) {
                NopBatches nops = new NopBatches(batch);
                nops.run(driver, duration.toNanos() / 4);
                result.complete(nops.run(driver, duration.toNanos()));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.orTimeout(duration.toSeconds() + 60, TimeUnit.SECONDS).join();
    }

    private double run(Driver driver, long nanos) {
        completed = 0;
        long start = System.nanoTime();
        long end = start + nanos;
        long now;
        do {
            roundTrip(driver);
            now = System.nanoTime();
        } while (now < end);
        return completed / ((now - start) / 1e9);
    }

    /** One batch: submit every NOP, then poll until all of them completed. */
    private void roundTrip(Driver driver) {
        long target = completed + batch;
        for (Nop nop : nops) {
            driver.submit(nop.prepareNop());
        }
        while (completed < target) {
            driver.poll(-1);
        }
    }
}
