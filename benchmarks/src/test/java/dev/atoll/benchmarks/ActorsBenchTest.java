package dev.atoll.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActorsBenchTest {

    @Test
    void withoutWordsEveryCaseRuns() {
        assertEquals(List.of(), ActorsBench.selectedWords(""));
        assertEquals(List.of(), ActorsBench.selectedWords(" , "));
        assertTrue(ActorsBench.chosen("savina count, one shard", List.of()));
    }

    @Test
    void wordsKeepOnlyTheCasesThatContainOne() {
        List<String> words = ActorsBench.selectedWords(" ping-pong ,ask");
        assertEquals(List.of("ping-pong", "ask"), words);
        assertTrue(ActorsBench.chosen("ping-pong 100 pairs, two shards", words));
        assertFalse(ActorsBench.chosen("savina fjthrput 60 actors, two shards", words));
    }

    /** The comparison of a message between cores holds only if Pekko's two dispatchers really split each pair. */
    @Test
    void pekkosOneSidePerThreadDispatchersPutEveryMessageOnTheOtherThread() throws Exception {
        try (PekkoClassicPeer classic = new PekkoClassicPeer(2, ActorsBench.PEKKO_THROUGHPUT)) {
            assertEquals(1.0, classic.hopsBetweenThreads(4, 4_000, true), 1e-9);
            assertTrue(classic.pingPongOneSidePerThread(4, 4_000) > 0);
        }
    }
}
