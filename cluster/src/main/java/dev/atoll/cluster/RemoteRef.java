package dev.atoll.cluster;

import dev.atoll.actors.ActorRef;
import dev.atoll.actors.ActorSystem;
import dev.atoll.actors.ForeignRef;
import dev.atoll.actors.Reply;
import dev.atoll.shards.Promise;
import dev.atoll.shards.Shard;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A reference to an actor on another node ({@link ClusterNode#refFor}). {@code tell} serializes the
 * message on the caller's thread (so a message that cannot travel fails there, with a
 * {@link SerializationException}), then queues it on the calling shard's connection to the target
 * node's shard that hosts the actor; from a thread that is not a shard it first goes to the local
 * shard with the target's shard number (modulo the local count). It never blocks.
 *
 * <p>Death watch: the first local watcher sends a {@code Watch} to the actor's node, which answers
 * with one {@code Died} when the actor stops; the actor's node leaving the member list (clean stop,
 * session expiry, SIGKILL) ends the watch as well. Either way each watcher gets {@code Terminated}
 * once: the watcher's cell drops a watch when it delivers its signal.
 *
 * @param <M> the type of the messages the actor receives
 */
final class RemoteRef<M> extends ForeignRef<M> {
    private final ClusterNode node;
    private final ActorAddress address;
    /** The link each local shard sends on; element {@code i} is read and written only by shard {@code i}. */
    private final OutboundLink[] links;
    /**
     * The local shard that keeps this reference's watchers and sends its watch requests: one shard, so
     * that watch and unwatch reach the remote node in the order they were decided.
     */
    private final int controlShard;
    /** The local actors watching this one; confined to {@link #controlShard}. */
    private final Set<ActorRef<?>> watchers = new HashSet<>();

    RemoteRef(ClusterNode node, ActorAddress address) {
        this.node = node;
        this.address = address;
        this.links = new OutboundLink[node.system().shardCount()];
        this.controlShard = Math.floorMod(address.shard(), links.length);
    }

    ActorAddress address() {
        return address;
    }

    int controlShard() {
        return controlShard;
    }

    // ---- death watch: the watchers live on the control shard; the remote node tells it of the end once ----

    @Override
    protected void watchedBy(ActorRef<?> watcher) {
        node.system().runtime().execute(controlShard, () -> {
            if (!node.isLive(address)) {
                tellTerminated(watcher);   // as a local watch of a stopped actor: at once
            } else if (watchers.add(watcher) && watchers.size() == 1) {
                node.watching(this, true);
                sendControl(new Control.Watch(address, node.controlAddress(controlShard)));
            }
        });
    }

    @Override
    protected void unwatchedBy(ActorRef<?> watcher) {
        node.system().runtime().execute(controlShard, () -> {
            if (watchers.remove(watcher) && watchers.isEmpty()) {
                node.watching(this, false);
                if (node.isLive(address)) {
                    sendControl(new Control.Unwatch(address, node.controlAddress(controlShard)));
                }
            }
        });
    }

    /** On the control shard: the actor stopped, or its node is gone: every watcher is told (each at most once). */
    void ended() {
        if (watchers.isEmpty()) {
            return;
        }
        for (ActorRef<?> watcher : watchers) {
            tellTerminated(watcher);
        }
        watchers.clear();
        node.watching(this, false);
    }

    /** On the control shard: {@link #ended} if the actor's node incarnation is no longer a member. */
    void endedIfGone() {
        if (!watchers.isEmpty() && !node.isLive(address)) {
            ended();
        }
    }

    private void tellTerminated(ActorRef<?> watcher) {
        node.system().runtime().execute(watcher.shardId(), () -> terminated(watcher));
    }

    /** On the control shard: a control message to the remote node's shard that hosts the actor (same link as tells). */
    private void sendControl(Control control) {
        send(controlShard, Wire.frame(0, node.serializer().toBytes(control, node.refs())));
    }

    @Override
    public void tell(M message) {
        byte[] frame = Wire.frame(address.id(), node.serializer().toBytes(message, node.refs()));
        if (frame.length > node.settings().maxFrameSize()) {
            throw new SerializationException("a " + message.getClass().getName() + " of " + frame.length
                    + " bytes framed is larger than atoll.cluster.max-frame-size (" + node.settings().maxFrameSize() + ")", null);
        }
        Shard here = Shard.current();
        if (here != null && here.runtime() == node.system().runtime()) {
            send(here.id(), frame);
            return;
        }
        int via = Math.floorMod(address.shard(), links.length);
        if (!node.system().runtime().execute(via, () -> send(via, frame))) {
            node.deadLetter();
        }
    }

    /** On shard {@code shard}: queues the frame on that shard's link to the target, or counts a dead letter. */
    private void send(int shard, byte[] frame) {
        Member target = node.liveMember(address);
        if (target == null) {
            node.deadLetter();
            return;
        }
        OutboundLink link = links[shard];
        if (link == null || link.isClosed()) {
            link = node.linkFor(shard, target, address.shard());
            links[shard] = link;
        }
        link.enqueue(frame);
    }

    /**
     * Asks across nodes: the request carries a {@link ClusterReply} that sends the answer back to this
     * node. Fails with a {@link java.util.concurrent.TimeoutException} after {@code timeout} (an answer
     * after that is a dead letter), with an {@link AskFailedException} when the actor failed it, or
     * throws a {@link SerializationException} at once when the request cannot travel.
     */
    @Override
    public <R> CompletableFuture<R> ask(Function<Reply<R>, ? extends M> request, Duration timeout) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        Shard here = Shard.current();
        int waitingShard = here != null && here.runtime() == node.system().runtime() ? here.id()
                : Math.floorMod(address.shard(), links.length);
        long ask = node.startAsk(answer);
        answer.orTimeout(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .whenComplete((v, e) -> node.endAsk(ask));
        sendAsk(request, ask, waitingShard, answer::completeExceptionally);
        return answer;
    }

    /** {@link #ask} for code on a shard: the answer completes a promise of the calling shard. */
    @Override
    public <R> Promise<R> askPromise(Function<Reply<R>, ? extends M> request, Duration timeout) {
        Shard here = Shard.current();
        if (here == null || here.runtime() != node.system().runtime()) {
            throw new IllegalStateException("askPromise must be called on a shard of " + node.system().runtime());
        }
        Promise<R> answer = new Promise<>();
        long ask = node.startAsk(answer);
        answer.withDeadline(timeout).whenComplete((v, e) -> node.endAsk(ask));
        sendAsk(request, ask, here.id(), answer::fail);
        return answer;
    }

    private <R> void sendAsk(Function<Reply<R>, ? extends M> request, long ask, int waitingShard,
                             java.util.function.Consumer<Throwable> failure) {
        Member self = node.membership().self();
        if (self == null) {
            failure.accept(new ClusterException("this node has not joined the cluster"));
            return;
        }
        ClusterReply<R> reply = new ClusterReply<>(node, new ActorAddress(self.name(), self.incarnation(), waitingShard, -ask));
        try {
            tell(request.apply(reply));
        } catch (RuntimeException e) {
            failure.accept(e);
            throw e;
        }
    }

    @Override
    public int shardId() {
        return address.shard();
    }

    @Override
    public String name() {
        return null;
    }

    @Override
    public ActorSystem system() {
        return node.system();
    }

    @Override
    public String toString() {
        return "RemoteRef[" + address.node() + "#" + address.incarnation() + " shard " + address.shard() + " id " + address.id() + "]";
    }

    /** The type check {@code ActorRef<M>} needs when a module hands this out. */
    @SuppressWarnings("unchecked")
    <T> ActorRef<T> cast() {
        return (ActorRef<T>) this;
    }
}
