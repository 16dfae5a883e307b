package dev.atoll.actors;

import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply of an ask made on a shard: completes the asker's shard-local promise, at once when the
 * answer comes from the same shard, otherwise by travelling back as the mesh message itself (so an
 * answer costs no envelope).
 */
final class PromiseReply<T> implements Reply<T>, Runnable {
    private static final Logger log = LoggerFactory.getLogger(PromiseReply.class);

    private final Promise<T> promise;
    private final Shard owner;
    // Written by the answering thread before the hand-off through a mesh or submission queue, read by
    // the owner after taking this object from that queue: the queue's release/acquire orders them.
    private T value;
    private Throwable failure;

    PromiseReply(Promise<T> promise, Shard owner) {
        this.promise = promise;
        this.owner = owner;
    }

    @Override
    public void send(T answer) {
        if (Shard.current() == owner) {
            promise.complete(answer);
        } else {
            value = answer;
            handOff();
        }
    }

    @Override
    public void fail(Throwable cause) {
        if (Shard.current() == owner) {
            promise.fail(cause);
        } else {
            failure = cause;
            handOff();
        }
    }

    /** Runs on the owner shard once the answer has crossed. */
    @Override
    public void run() {
        if (failure != null) {
            promise.fail(failure);
        } else {
            promise.complete(value);
        }
    }

    private void handOff() {
        Shard here = Shard.current();
        if (here != null && here.runtime() == owner.runtime()) {
            here.sendReply(owner.id(), this);
        } else if (!owner.runtime().execute(owner.id(), this)) {
            log.warn("an answer to an ask on shard {} was refused (queue full or runtime stopping); the ask will time out",
                    owner.id());
        }
    }
}
