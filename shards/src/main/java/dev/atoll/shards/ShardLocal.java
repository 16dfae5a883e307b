package dev.atoll.shards;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A value each shard owns one of, created on first use on that shard and touched only by its thread —
 * how a module (io, actors) keeps per-shard state such as buffer pools without any shared registry.
 * When the shard's loop ends, {@code onExit} is called with the value on the shard's thread, before
 * its driver closes.
 *
 * @param <T> the per-shard value
 */
public final class ShardLocal<T> {
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    final int index = NEXT_INDEX.getAndIncrement();
    private final Function<Shard, ? extends T> factory;
    private final Consumer<? super T> onExit;

    private ShardLocal(Function<Shard, ? extends T> factory, Consumer<? super T> onExit) {
        this.factory = Objects.requireNonNull(factory, "factory");
        this.onExit = Objects.requireNonNull(onExit, "onExit");
    }

    /** A shard-local value made by {@code factory} on each shard's first use. */
    public static <T> ShardLocal<T> of(Function<Shard, ? extends T> factory) {
        return new ShardLocal<>(factory, value -> { });
    }

    /** As {@link #of(Function)}, with a clean-up run on the shard's thread when its loop ends. */
    public static <T> ShardLocal<T> of(Function<Shard, ? extends T> factory, Consumer<? super T> onExit) {
        return new ShardLocal<>(factory, onExit);
    }

    /**
     * The value of the shard running the caller.
     *
     * @throws IllegalStateException outside a shard thread
     */
    public T get() {
        Shard shard = Shard.current();
        if (shard == null) {
            throw new IllegalStateException("a shard-local value exists only on a shard thread, not on "
                    + Thread.currentThread().getName());
        }
        return shard.local(this);
    }

    T create(Shard shard) {
        return factory.apply(shard);
    }

    @SuppressWarnings("unchecked")
    void exit(Object value) {
        onExit.accept((T) value);
    }
}
