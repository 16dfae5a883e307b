package dev.atoll.cluster;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.ConfigReader;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The typed settings of {@code atoll.cluster}; a bad value is an
 * {@link dev.atoll.config.InvalidConfigException} naming the key, the value and the file.
 *
 * @param zookeeper      a ZooKeeper connect string ({@code host:port,...}), or null for the embedded server
 * @param embeddedPort   the embedded server's port (0: a free one); used only when {@code zookeeper} is null
 * @param path           the cluster's root znode
 * @param sessionTimeout the ZooKeeper session timeout: how long a silent node stays a member
 * @param connectTimeout how long joining waits for a first connection
 * @param nodeName       this node's name
 * @param advertiseHost  the host other nodes use to reach this one
 * @param port           the port to listen on and advertise for remote messages (0: a free one)
 * @param outboundQueue  messages that may wait on one outbound connection
 * @param maxFrameSize   the largest frame (header and serialized message), in bytes
 */
public record ClusterSettings(String zookeeper, int embeddedPort, String path, Duration sessionTimeout,
                              Duration connectTimeout, String nodeName, String advertiseHost, int port,
                              int outboundQueue, int maxFrameSize) {

    private static final String EMBEDDED = "embedded";

    /** The settings of {@code config}'s {@code atoll.cluster} section. */
    public static ClusterSettings from(AtollConfig config) {
        ConfigReader r = config.reader();
        String zookeeper = r.nonBlankString("atoll.cluster.zookeeper");
        if (EMBEDDED.equalsIgnoreCase(zookeeper)) {
            zookeeper = null;
        } else if (!isConnectString(zookeeper)) {
            throw r.invalid("atoll.cluster.zookeeper",
                    "embedded, or a ZooKeeper connect string such as \"zk1:2181,zk2:2181\" (host:port pairs, ports 1..65535)");
        }
        String path = r.nonBlankString("atoll.cluster.path");
        if (!isZnodePath(path)) {
            throw r.invalid("atoll.cluster.path", "an absolute znode path such as \"/atoll/orders\" (no trailing slash, no empty part)");
        }
        String name = r.nonBlankString("atoll.cluster.node-name");
        if ("auto".equalsIgnoreCase(name)) {
            name = hostName() + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        } else if (name.contains("/") || name.contains("\n")) {
            throw r.invalid("atoll.cluster.node-name", "auto, or a name without '/' and line breaks");
        }
        return new ClusterSettings(zookeeper,
                r.intIn("atoll.cluster.embedded-port", 0, 65535),
                path,
                r.duration("atoll.cluster.session-timeout", Duration.ofMillis(100), Duration.ofMinutes(10)),
                r.duration("atoll.cluster.connect-timeout", Duration.ofMillis(100), Duration.ofMinutes(10)),
                name,
                r.nonBlankString("atoll.cluster.advertise-host"),
                r.intIn("atoll.cluster.port", 0, 65535),
                r.intIn("atoll.cluster.outbound-queue", 1, 1 << 24),
                (int) r.bytes("atoll.cluster.max-frame-size", 64, 64L << 20));
    }

    /** Whether this node runs (or uses) the embedded ZooKeeper server. */
    public boolean embedded() {
        return zookeeper == null;
    }

    /** A copy with another connect string (e.g. the embedded server's, once it is started). */
    public ClusterSettings withZooKeeper(String connectString) {
        return new ClusterSettings(connectString, embeddedPort, path, sessionTimeout, connectTimeout, nodeName,
                advertiseHost, port, outboundQueue, maxFrameSize);
    }

    /** A copy with another node name (several nodes in one JVM, in tests). */
    public ClusterSettings withNodeName(String name) {
        return new ClusterSettings(zookeeper, embeddedPort, path, sessionTimeout, connectTimeout, name,
                advertiseHost, port, outboundQueue, maxFrameSize);
    }

    static boolean isConnectString(String s) {
        String hosts = s;
        int chroot = s.indexOf('/');
        if (chroot >= 0) {
            hosts = s.substring(0, chroot);
        }
        if (hosts.isEmpty()) {
            return false;
        }
        for (String pair : hosts.split(",", -1)) {
            int colon = pair.lastIndexOf(':');
            if (colon <= 0 || colon == pair.length() - 1 || pair.substring(0, colon).isBlank()) {
                return false;
            }
            try {
                int port = Integer.parseInt(pair.substring(colon + 1).trim());
                if (port < 1 || port > 65535) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    static boolean isZnodePath(String path) {
        return path.startsWith("/") && path.length() > 1 && !path.endsWith("/") && !path.contains("//");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
