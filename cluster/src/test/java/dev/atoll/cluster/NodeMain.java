package dev.atoll.cluster;

import dev.atoll.actors.ActorSystem;
import dev.atoll.config.AtollConfig;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A cluster node in a JVM of its own, for {@link MultiJvmTest}: joins the ZooKeeper at {@code args[0]}
 * as {@code args[1]}, exports one collector actor, and prints {@code @@address INCARNATION SHARD ID}
 * and {@code @@state STATE INCARNATION} lines; runs until its standard input ends.
 */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws IOException {
        AtollConfig config = AtollConfig.parse("atoll.shards { count = 1, pin = false }\n"
                + "atoll.cluster { zookeeper = \"" + args[0] + "\", path = \"/atoll/multi\", session-timeout = 1s,"
                + " connect-timeout = 5s, node-name = " + args[1] + " }", "NodeMain");
        try (ActorSystem system = ActorSystem.start(config)) {
            ClusterNode node = ClusterNode.start(system, ClusterSettings.from(config),
                    CborSerializer.of(RemoteActorsTest.Msg.class));
            ActorAddress address = node.export(system.spawn(() -> new RemoteActorsTest.Collector(new LinkedBlockingQueue<>())));
            System.out.println("@@address " + address.incarnation() + " " + address.shard() + " " + address.id());
            node.membership().subscribe(new MembershipListener() {
                @Override
                public void onSelf(SelfState state, Member self) {
                    System.out.println("@@state " + state + " " + (self == null ? -1 : self.incarnation()));
                }
            });
            while (System.in.read() >= 0) {
                // runs until the test closes our standard input (or kills us)
            }
            node.close();
        }
    }
}
