package dev.atoll.testkit;

import dev.atoll.actors.Actor;
import dev.atoll.actors.ActorRef;
import dev.atoll.actors.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The code of docs/testing.md, compiled and run here so the guide cannot drift from the kit (the
 * starter's GuidesTest checks that every block of the guide is in this file).
 */
class TestKitGuideExamplesTest {

    // --- docs/testing.md: "The actors under test" ---
    /** Greets whoever it is told to, answering to the reference in the message. */
    static final class Greeter extends Actor<Greeter.Greet> {
        record Greet(String name, ActorRef<Greeted> replyTo) { }
        record Greeted(String text) { }

        @Override
        protected void receive(Greet greet) {
            greet.replyTo().tell(new Greeted("Hello, " + greet.name() + "!"));
        }
    }

    /** Answers from a store it asks, and remembers the answers for a while. */
    static final class Cache extends Actor<Cache.Msg> {
        sealed interface Msg { }
        record Get(String key, Reply<String> reply) implements Msg { }
        record Loaded(String key, String value, Reply<String> reply) implements Msg { }
        record Expire(String key) implements Msg { }

        private final ActorRef<Store.Get> store;
        private final java.util.Map<String, String> entries = new java.util.HashMap<>();

        Cache(ActorRef<Store.Get> store) {
            this.store = store;
        }

        @Override
        protected void receive(Msg msg) {
            switch (msg) {
                case Get(String key, Reply<String> reply) when entries.containsKey(key) -> reply.send(entries.get(key));
                case Get(String key, Reply<String> reply) -> context().pipeToSelf(
                        context().ask(store, (Reply<String> r) -> new Store.Get(key, r), Duration.ofSeconds(5)),
                        (value, failure) -> new Loaded(key, failure == null ? value : "unavailable", reply));
                case Loaded(String key, String value, Reply<String> reply) -> {
                    entries.put(key, value);
                    context().startSingleTimer(key, new Expire(key), Duration.ofMinutes(10));
                    reply.send(value);
                }
                case Expire(String key) -> entries.remove(key);
            }
        }
    }

    /** The store's protocol: the cache asks it. */
    static final class Store {
        record Get(String key, Reply<String> reply) { }
    }

    // --- docs/testing.md: "A first test" ---
    @RegisterExtension
    static final AtollTestKit kit = AtollTestKit.create().shards(2).withManualClock();

    @Test
    void greets() {
        TestProbe<Greeter.Greeted> probe = kit.probe();
        ActorRef<Greeter.Greet> greeter = kit.spawn(Greeter::new);
        greeter.tell(new Greeter.Greet("Ada", probe.ref()));
        probe.expectMessage(new Greeter.Greeted("Hello, Ada!"));
        probe.expectNoMessage(Duration.ofMillis(100));
    }

    // --- docs/testing.md: "Faking the answers of an asked actor" ---
    @Test
    void asksTheStoreOnceThenAnswersFromMemoryUntilTheEntryExpires() {
        TestProbe<Store.Get> store = kit.probe();
        ActorRef<Cache.Msg> cache = kit.spawn(() -> new Cache(store.ref()));

        store.answer(Store.Get.class, get -> get.reply().send("v1"));
        assertEquals("v1", kit.ask(cache, (Reply<String> r) -> new Cache.Get("k", r)));

        store.answer(Store.Get.class, get -> get.reply().send("v2"));
        assertEquals("v1", kit.ask(cache, (Reply<String> r) -> new Cache.Get("k", r)));   // from memory

        kit.clock().advance(Duration.ofMinutes(10));                                          // the entry expires
        assertEquals("v2", kit.ask(cache, (Reply<String> r) -> new Cache.Get("k", r)));
    }

    // --- docs/testing.md: "One request at a time" ---
    @Test
    void anAskThatIsNeverAnsweredTimesOutOnTheManualClock() {
        TestProbe<Store.Get> store = kit.probe();
        ActorRef<Cache.Msg> cache = kit.spawn(() -> new Cache(store.ref()));
        var answer = cache.ask((Reply<String> r) -> new Cache.Get("k", r), kit.timeout());

        Store.Get request = store.expectMessageType(Store.Get.class);   // asked, and left unanswered
        assertEquals("k", request.key());
        kit.clock().advance(Duration.ofSeconds(5));                     // the cache's ask times out
        assertEquals("unavailable", answer.join());
    }
}
