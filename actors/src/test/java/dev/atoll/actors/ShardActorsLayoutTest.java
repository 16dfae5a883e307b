package dev.atoll.actors;

import dev.atoll.drivers.LeftPadding128;
import dev.atoll.shards.FieldLayout;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

/**
 * The fields of a shard's actor part that every cross-shard tell reads (system, shard, id) are at least
 * 128 bytes from the fields its home shard writes on every turn, as HotSpot laid them out.
 */
class ShardActorsLayoutTest {

    @Test
    void theIdentityReadByOtherShardsIsALineAwayFromTheTurnState() {
        FieldLayout.assertIsolated(ShardActors.class, Set.of("system", "shard", "id"),
                List.of(LeftPadding128.class, ShardActorsRightPadding.class));
    }
}
