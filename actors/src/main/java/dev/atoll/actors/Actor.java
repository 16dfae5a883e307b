package dev.atoll.actors;

/**
 * The base class of every actor: extend it, keep the state in plain fields (one shard owns the
 * instance, so no locks and no volatile), and handle messages in {@link #receive}. The system calls
 * every method here on the actor's shard, one message at a time.
 *
 * <p>An instance comes from the factory given to {@code spawn}, run on the shard that will own it;
 * {@link #context()} works from the constructor on. When supervision restarts the actor, a fresh
 * instance comes from the same factory and the mailbox is kept.
 *
 * <pre>{@code
 * public final class Counter extends Actor<Counter.Msg> {
 *     public sealed interface Msg {}
 *     public record Add(long n) implements Msg {}
 *     public record Get(Reply<Long> reply) implements Msg {}
 *
 *     private long total;
 *
 *     @Override protected void receive(Msg msg) {
 *         switch (msg) {
 *             case Add(long n) -> total += n;
 *             case Get(Reply<Long> reply) -> reply.send(total);
 *         }
 *     }
 * }
 * }</pre>
 *
 * @param <M> the type of the messages it receives (a sealed interface of records, typically)
 */
public abstract class Actor<M> {
    // Set on the owning shard before the constructor body runs (see ActorCell.newInstance); read there only.
    ActorCell<M> cell;

    @SuppressWarnings("unchecked")
    protected Actor() {
        this.cell = (ActorCell<M>) ActorCell.constructing();
    }

    /** Handles one message. A throw is a failure handled by the actor's {@link Supervision}. */
    protected abstract void receive(M message) throws Exception;

    /** Runs once, before the first message (and, by default, again after each restart). */
    protected void preStart() throws Exception {
    }

    /** Runs once when the actor stops (not when it is restarted). */
    protected void postStop() throws Exception {
    }

    /** Runs on the failing instance before supervision replaces it; its timers are cancelled next. */
    protected void preRestart(Throwable reason) throws Exception {
    }

    /** Runs on the fresh instance after a restart, instead of {@link #preStart()}; by default calls it. */
    protected void postRestart(Throwable reason) throws Exception {
        preStart();
    }

    /** Receives signals from the system: {@link Terminated} for actors watched with {@link ActorContext#watch}. */
    protected void onSignal(Signal signal) throws Exception {
    }

    /** This actor's view of the system: self, shard, spawn, stop, watch, timers, ask, pipeToSelf. */
    protected final ActorContext<M> context() {
        ActorCell<M> c = cell;
        if (c == null) {
            throw new IllegalStateException("this actor was not created by a spawn factory, so it has no context");
        }
        return c;
    }

    /** The reference other actors use to reach this one. */
    protected final ActorRef<M> self() {
        return context().self();
    }
}
