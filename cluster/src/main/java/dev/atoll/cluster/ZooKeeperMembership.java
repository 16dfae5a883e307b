package dev.atoll.cluster;

import dev.atoll.config.AtollConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Membership in Apache ZooKeeper through Apache Curator. Each node is an ephemeral sequential znode
 * under {@code PATH/members} holding its name, host, port and shard count; the znode's sequence number
 * is the node's incarnation. Every node watches the children of {@code PATH/members}: ZooKeeper
 * deletes a node's znode when its session ends (a clean {@link #close()}, or no heartbeat for
 * {@code session-timeout}), so a node that dies, hangs or is cut off is down for everyone.
 *
 * <p>This node's own view: when its connection is {@code SUSPENDED} it stops counting itself a member
 * ({@link SelfState#SUSPENDED}); when Curator reports the session {@code LOST} (expired, or silent past
 * the session timeout) it is {@link SelfState#DOWN} and sees no members; when it connects again with
 * a new session it joins again as a new incarnation. If a name appears twice (an old incarnation whose
 * session has not expired yet), only the newest counts.
 *
 * <p>All ZooKeeper work and every listener call run on one event thread of this object, in order.
 */
public final class ZooKeeperMembership implements MembershipProvider {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperMembership.class);
    private static final String PREFIX = "member-";
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final ClusterSettings settings;
    private final EmbeddedZooKeeper embedded;
    private final String connectString;
    private final CuratorFramework client;
    private final String membersPath;
    private final ExecutorService events;
    /** Re-reads the member list when it changed (a ZooKeeper watch fires once: each read sets it again). */
    private final CuratorWatcher childrenWatcher;
    private final CopyOnWriteArrayList<MembershipListener> listeners = new CopyOnWriteArrayList<>();

    // Written on the event thread, read by any thread: volatile.
    private volatile List<Member> members = List.of();
    private volatile SelfState state = SelfState.JOINING;
    private volatile Member self;

    // Event thread only.
    private String ownPath;
    private byte[] advertisement;
    private boolean closed;

    private ZooKeeperMembership(ClusterSettings settings, EmbeddedZooKeeper embedded) {
        this.settings = settings;
        this.embedded = embedded;
        this.connectString = embedded != null ? embedded.connectString() : settings.zookeeper();
        this.membersPath = settings.path() + "/members";
        this.events = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("atoll-cluster-" + settings.nodeName()).factory());
        this.childrenWatcher = event -> {
            if (!events.isShutdown()) {   // a watch may fire while closing
                events.execute(this::refreshSafely);
            }
        };
        int sessionMillis = (int) settings.sessionTimeout().toMillis();
        this.client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionMillis)
                .connectionTimeoutMs((int) Math.min(settings.connectTimeout().toMillis(), sessionMillis))
                .retryPolicy(new ExponentialBackoffRetry(50, 20, 1_000))
                .build();
        client.getConnectionStateListenable().addListener((c, newState) -> onConnectionState(newState), events);
        client.start();
    }

    /** Membership as {@code config}'s {@code atoll.cluster} says (starting the embedded server if it says so). */
    public static ZooKeeperMembership start(AtollConfig config) {
        return start(ClusterSettings.from(config));
    }

    /**
     * Membership with {@code settings}: connects in the background; {@link #join} waits for the
     * connection. With {@code zookeeper = embedded} this object starts the server and stops it at close.
     */
    public static ZooKeeperMembership start(ClusterSettings settings) {
        Objects.requireNonNull(settings, "settings");
        EmbeddedZooKeeper embedded = settings.embedded() ? EmbeddedZooKeeper.start(settings.embeddedPort()) : null;
        return new ZooKeeperMembership(settings, embedded);
    }

    /** The connect string in use (the embedded server's when {@code zookeeper = embedded}). */
    public String connectString() {
        return connectString;
    }

    @Override
    public CompletableFuture<Member> join(String host, int port, int shards) {
        Member wanted = new Member(settings.nodeName(), host, port, shards, -1);
        CompletableFuture<Member> joined = new CompletableFuture<>();
        events.execute(() -> {
            try {
                if (ownPath != null || closed) {
                    throw new IllegalStateException(closed ? "membership is closed" : "already joined as " + self);
                }
                if (!client.blockUntilConnected((int) settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new ClusterException("ZooKeeper at \"" + connectString + "\" (atoll.cluster.zookeeper) is unreachable:"
                            + " no connection within " + settings.connectTimeout() + " (atoll.cluster.connect-timeout)");
                }
                advertisement = wanted.advertisement();
                createOwnZnode();
                refreshMembers();
                joined.complete(self);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                joined.completeExceptionally(new ClusterException("interrupted while joining", e));
            } catch (Exception e) {
                joined.completeExceptionally(e instanceof ClusterException || e instanceof IllegalStateException ? e
                        : new ClusterException("joining the cluster at " + connectString + settings.path() + " failed: " + e, e));
            }
        });
        return joined;
    }

    @Override
    public List<Member> members() {
        return members;
    }

    @Override
    public Member self() {
        return self;
    }

    @Override
    public SelfState state() {
        return state;
    }

    @Override
    public Runnable subscribe(MembershipListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        events.execute(() -> {
            tell(listener, members);
            tell(listener, state, self);
        });
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        if (events.isShutdown()) {
            return;
        }
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            closed = true;
            if (ownPath != null && state == SelfState.UP) {
                try {
                    client.delete().quietly().forPath(ownPath);   // others see this node gone now, not at session timeout
                } catch (Exception e) {
                    log.debug("{}: leaving: {}", settings.nodeName(), e.toString());
                }
            }
            members = List.of();
            setState(SelfState.LEFT);
        }, events);
        try {
            done.get(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("{}: leaving the cluster did not finish: {}", settings.nodeName(), e.toString());
        }
        events.shutdown();
        client.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    /** The Curator client (tests expire its session). */
    CuratorFramework curator() {
        return client;
    }

    // ---- on the event thread ----

    /**
     * Creates this incarnation's znode and says UP with the member list read just before, this node added:
     * a listener told UP knows the other members already, so a node that rejoins never drops a tell to a
     * member it has not read yet (the list was emptied at LOST). The list read after the creation follows.
     */
    private void createOwnZnode() throws Exception {
        List<Member> others = readMembers();
        String path = client.create().creatingParentContainersIfNeeded().withProtection()
                .withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(membersPath + "/" + PREFIX, advertisement);
        ownPath = path;
        self = Member.parse(advertisement, incarnationOf(path));
        log.info("{} joined the cluster at {}{} as incarnation {}", settings.nodeName(), connectString, settings.path(),
                self.incarnation());
        List<Member> withSelf = new ArrayList<>(others);
        withSelf.add(self);
        publish(newestByName(withSelf));
        setState(SelfState.UP);
    }

    private void onConnectionState(ConnectionState newState) {
        if (closed || ownPath == null) {
            return;
        }
        switch (newState) {
            case SUSPENDED -> {
                if (state == SelfState.UP) {
                    setState(SelfState.SUSPENDED);
                }
            }
            case LOST -> {
                members = List.of();
                setState(SelfState.DOWN);
                tellAll(List.of());
            }
            case CONNECTED, RECONNECTED -> resumeOrRejoin();
            case READ_ONLY -> { }
        }
    }

    /** Connected again: the same session keeps its znode and incarnation; a new session joins anew. */
    private void resumeOrRejoin() {
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = client.checkExists().forPath(ownPath);
            if (stat != null && stat.getEphemeralOwner() == session) {
                setState(SelfState.UP);
            } else {
                if (stat != null) {
                    client.delete().quietly().forPath(ownPath);   // the old incarnation, if its session lingers
                }
                createOwnZnode();
            }
            refreshMembers();
        } catch (Exception e) {
            // The connection dropped again: the next CONNECTED/RECONNECTED tries again.
            log.warn("{}: rejoining failed: {}", settings.nodeName(), e.toString());
        }
    }

    private void refreshSafely() {
        if (closed || state == SelfState.DOWN) {
            return;
        }
        try {
            refreshMembers();
        } catch (Exception e) {
            log.debug("{}: reading the member list failed (read again on reconnection): {}", settings.nodeName(), e.toString());
        }
    }

    private void refreshMembers() throws Exception {
        publish(readMembers());
    }

    /** The member list as ZooKeeper holds it now (none before the first node made its path); sets the watch that re-reads it. */
    private List<Member> readMembers() throws Exception {
        List<String> children;
        try {
            children = client.getChildren().usingWatcher(childrenWatcher).forPath(membersPath);
        } catch (KeeperException.NoNodeException none) {
            return List.of();
        }
        List<Member> read = new ArrayList<>();
        for (String child : children) {
            byte[] data;
            try {
                data = client.getData().forPath(membersPath + "/" + child);
            } catch (KeeperException.NoNodeException gone) {
                continue;
            }
            try {
                read.add(Member.parse(data, incarnationOf(child)));
            } catch (IllegalArgumentException e) {
                log.warn("{}: ignoring znode {}/{}: {}", settings.nodeName(), membersPath, child, e.getMessage());
            }
        }
        return newestByName(read);
    }

    /** One member per name, its newest incarnation (an old one lingers until its session expires), by incarnation. */
    private static List<Member> newestByName(List<Member> members) {
        Map<String, Member> newest = new HashMap<>();
        for (Member member : members) {
            newest.merge(member.name(), member, (a, b) -> a.incarnation() >= b.incarnation() ? a : b);
        }
        List<Member> live = new ArrayList<>(newest.values());
        live.sort(Comparator.comparingLong(Member::incarnation));
        return List.copyOf(live);
    }

    private void publish(List<Member> now) {
        if (!now.equals(members)) {
            members = now;
            tellAll(now);
        }
    }

    private static long incarnationOf(String path) {
        return Long.parseLong(path.substring(path.length() - 10));
    }

    private void setState(SelfState next) {
        if (next != state) {
            log.info("{}: {} -> {}", settings.nodeName(), state, next);
            state = next;
            for (MembershipListener listener : listeners) {
                tell(listener, next, self);
            }
        }
    }

    private void tellAll(List<Member> now) {
        for (MembershipListener listener : listeners) {
            tell(listener, now);
        }
    }

    private void tell(MembershipListener listener, List<Member> now) {
        try {
            listener.onMembers(now);
        } catch (RuntimeException e) {
            log.warn("a membership listener threw", e);
        }
    }

    private void tell(MembershipListener listener, SelfState now, Member me) {
        try {
            listener.onSelf(now, me);
        } catch (RuntimeException e) {
            log.warn("a membership listener threw", e);
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperMembership[" + settings.nodeName() + " at " + connectString + settings.path() + ", " + state + "]";
    }
}
