package dev.atoll.cluster;

/** An ask across nodes that the answering actor failed ({@link dev.atoll.actors.Reply#fail}): its failure's type and message. */
public final class AskFailedException extends RuntimeException {
    /** The failure as it arrived. */
    public AskFailedException(AskFailure failure) {
        super(failure.type() + ": " + failure.message());
    }
}
