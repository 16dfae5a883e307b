package dev.atoll.testkit;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorContext;
import dev.atoll.actors.Signal;
import dev.atoll.actors.Terminated;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The actor behind a {@link TestProbe}: hands what it receives to the test thread through blocking
 * queues, and lends its context to the probe (watch, spawn) through tasks run on its shard.
 */
final class ProbeActor extends Actor<Object> {
    private final BlockingQueue<Object> messages;
    private final BlockingQueue<Terminated> terminations;
    /** Message type -> what answers it; written by the test thread, read on the probe's shard. */
    private final Map<Class<?>, Consumer<Object>> answers = new ConcurrentHashMap<>();

    ProbeActor(BlockingQueue<Object> messages, BlockingQueue<Terminated> terminations, CompletableFuture<ProbeActor> started) {
        this.messages = messages;
        this.terminations = terminations;
        started.complete(this);
    }

    @Override
    protected void receive(Object message) {
        Consumer<Object> answer = answerFor(message.getClass());
        if (answer != null) {
            answer.accept(message);   // a throw is a failure of this actor: supervision records it for the test
        } else {
            messages.add(message);
        }
    }

    @Override
    protected void onSignal(Signal signal) {
        if (signal instanceof Terminated terminated) {
            terminations.add(terminated);
        }
    }

    <T> void answer(Class<T> type, Consumer<? super T> answer) {
        answers.put(type, message -> answer.accept(type.cast(message)));
    }

    /** The answer registered for this exact type, else for a supertype of it (a sealed interface, say). */
    private Consumer<Object> answerFor(Class<?> type) {
        if (answers.isEmpty()) {
            return null;
        }
        Consumer<Object> exact = answers.get(type);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<Class<?>, Consumer<Object>> entry : answers.entrySet()) {
            if (entry.getKey().isAssignableFrom(type)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** The context, for the probe's tasks on this actor's shard. */
    ActorContext<Object> contextOnShard() {
        return context();
    }
}
