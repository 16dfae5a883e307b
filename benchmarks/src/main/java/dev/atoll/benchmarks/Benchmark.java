package dev.atoll.benchmarks;

/**
 * One benchmark as {@code ./atoll bench} lists and runs it.
 *
 * @param name        what the user types after {@code ./atoll bench}
 * @param description one line for the list
 * @param main        the entry point
 */
public record Benchmark(String name, String description, Main main) {

    /** A benchmark's entry point. It reports through {@link BenchReport#publish}. */
    @FunctionalInterface
    public interface Main {
        void run(BenchArgs args) throws Exception;
    }
}
