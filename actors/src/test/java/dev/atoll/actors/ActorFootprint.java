package dev.atoll.actors;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * Measures the heap an idle actor costs: heap in use after a collection, before and after spawning
 * {@code n} actors on shard 0 (the caller's array of references is allocated before the first
 * reading, so it is not counted), then again after each has handled one message.
 */
record ActorFootprint(int actors, double bytesPerActor, double bytesPerActorAfterOneMessage) {

    static ActorFootprint measure(ActorSystem system, Supplier<? extends Actor<Object>> factory, int n) {
        @SuppressWarnings("unchecked")
        ActorRef<Object>[] refs = new ActorRef[n];
        long before = usedAfterGc();
        TestSystems.onShard(system, 0, () -> {
            for (int i = 0; i < n; i++) {
                refs[i] = system.spawn(factory, Placement.here());
            }
            return null;
        });
        awaitIdle(system, n);
        long spawned = usedAfterGc();
        TestSystems.onShard(system, 0, () -> {
            for (ActorRef<Object> ref : refs) {
                ref.tell(Boolean.TRUE);
            }
            return null;
        });
        awaitIdle(system, n);
        long messaged = usedAfterGc();
        if (refs[n - 1] == null) {
            throw new AssertionError("keeps the references reachable until here");
        }
        return new ActorFootprint(n, (spawned - before) / (double) n, (messaged - before) / (double) n);
    }

    /** Every actor started and no message waiting: a message to the last one comes back after all started. */
    private static void awaitIdle(ActorSystem system, int n) {
        TestSystems.eventually("all started and idle", () -> {
            ActorStats s = system.stats().getFirst();
            return s.liveActors() >= n && s.queuedMessages() == 0
                    && TestSystems.onShard(system, 0, () -> Boolean.TRUE);
        });
        TestSystems.onShard(system, 0, () -> Boolean.TRUE);
    }

    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
