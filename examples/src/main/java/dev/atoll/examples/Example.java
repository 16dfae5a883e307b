package dev.atoll.examples;

/**
 * One runnable example as {@code ./atoll run} lists and starts it.
 *
 * @param name        what the user types after {@code ./atoll run}
 * @param description one line for the list
 * @param main        the entry point, given the arguments that follow the name
 */
public record Example(String name, String description, Main main) {

    /** An example's entry point; usually a reference to its {@code public static void main(String[])}. */
    @FunctionalInterface
    public interface Main {
        void run(String[] args) throws Exception;
    }
}
