package dev.atoll.cluster;

/**
 * How {@link ClusterReply#fail} travels: the failure's class name and message (never the exception
 * object itself). Every {@link CborSerializer} accepts it.
 *
 * @param type    the failure's class name on the answering node
 * @param message its message
 */
public record AskFailure(String type, String message) {
}
