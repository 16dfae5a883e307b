package dev.atoll.actors;

/**
 * The base of replies whose asker is in another process (the cluster module's asks across nodes): the
 * receiver calls {@link #send} or {@link #fail} as for any reply, and the implementation carries the
 * answer back.
 *
 * @param <T> the type of the answer
 */
public non-sealed interface ForeignReply<T> extends Reply<T> {
}
