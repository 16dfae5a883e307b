package dev.atoll.cluster;

import dev.atoll.actors.ActorSystem;
import dev.atoll.config.AtollConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A cluster node in a JVM of its own, for {@link MultiJvmTest}: joins the ZooKeeper at {@code args[0]}
 * as {@code args[1]}, exports one collector actor, and prints {@code @@address INCARNATION SHARD ID}
 * and {@code @@state STATE INCARNATION} lines; runs until its standard input ends. A line
 * {@code tell NODE INCARNATION SHARD ID TEXT} on its input tells {@code Text(TEXT)} to that address and
 * prints {@code @@told TEXT STATE} (the state this node believed it was in when it sent).
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
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = commands.readLine()) != null; ) {   // until the test closes our input (or kills us)
                String[] w = line.split(" ");
                if (w[0].equals("tell")) {
                    ActorAddress to = new ActorAddress(w[1], Long.parseLong(w[2]), Integer.parseInt(w[3]), Long.parseLong(w[4]));
                    SelfState state = node.membership().state();
                    node.<RemoteActorsTest.Msg>refFor(to).tell(new RemoteActorsTest.Text(w[5]));
                    System.out.println("@@told " + w[5] + " " + state);
                }
            }
            node.close();
        }
    }
}
