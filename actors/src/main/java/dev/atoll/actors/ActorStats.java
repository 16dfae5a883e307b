package dev.atoll.actors;

/**
 * The actor counters of one shard, as {@link ActorSystem#stats()} returns them. Each shard writes
 * its own; a snapshot read from another thread may be a little behind.
 *
 * @param shard          the shard's id
 * @param liveActors     actors started and not stopped
 * @param queuedMessages messages waiting in mailboxes
 * @param handled        messages handled (including ones whose handling failed)
 * @param deadLetters    messages to stopped actors, or left in their mailboxes, or refused by the mesh on this shard
 * @param failures       failures handled by supervision (in receive, factories and start hooks)
 * @param restarts       restarts by supervision
 * @param spawned        actors started on this shard
 * @param stopped        actors stopped on this shard
 */
public record ActorStats(int shard, long liveActors, long queuedMessages, long handled, long deadLetters,
                         long failures, long restarts, long spawned, long stopped) {
}
