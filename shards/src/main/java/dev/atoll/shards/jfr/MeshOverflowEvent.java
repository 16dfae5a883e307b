package dev.atoll.shards.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A send found the mesh queue to its target full: the message was parked in the sender's overflow
 * list, or refused because {@code atoll.mesh.overflow-limit} messages already waited there.
 */
@Name("dev.atoll.MeshOverflow")
@Label("Mesh Overflow")
@Category("Atoll")
@Description("A cross-shard send found the target's mesh queue full: parked in the overflow list, or refused")
public final class MeshOverflowEvent extends Event {
    @Label("Shard")
    int shard;

    @Label("Target Shard")
    int target;

    @Label("Refused")
    boolean refused;

    @Label("Parked For Target")
    int parked;

    private MeshOverflowEvent() {
    }

    /** Commits one overflow if a recording wants it. */
    public static void emit(int shard, int target, boolean refused, int parked) {
        if (!AtollEvents.recording()) {
            return;
        }
        MeshOverflowEvent event = new MeshOverflowEvent();
        if (event.shouldCommit()) {
            event.shard = shard;
            event.target = target;
            event.refused = refused;
            event.parked = parked;
            event.commit();
        }
    }
}
