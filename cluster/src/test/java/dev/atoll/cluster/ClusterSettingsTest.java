package dev.atoll.cluster;

import dev.atoll.config.AtollConfig;
import dev.atoll.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSettingsTest {

    private static ClusterSettings parse(String hocon) {
        return ClusterSettings.from(AtollConfig.parse(hocon, "cluster.conf"));
    }

    @Test
    void defaultsAreTheEmbeddedServerOnLoopback() {
        ClusterSettings s = ClusterSettings.from(AtollConfig.defaults());
        assertNull(s.zookeeper());
        assertTrue(s.embedded());
        assertEquals("/atoll/default", s.path());
        assertEquals(Duration.ofSeconds(10), s.sessionTimeout());
        assertEquals("127.0.0.1", s.advertiseHost());
        assertTrue(s.nodeName().endsWith("-" + ProcessHandle.current().pid()), s.nodeName());
    }

    @Test
    void anEnsembleAndAllTheKeys() {
        ClusterSettings s = parse("atoll.cluster { zookeeper = \"zk1:2181,zk2:2182/chroot\", path = \"/atoll/orders\","
                + " session-timeout = 4s, node-name = n1, advertise-host = \"10.1.2.3\", port = 25520 }");
        assertEquals(new ClusterSettings("zk1:2181,zk2:2182/chroot", 0, "/atoll/orders", Duration.ofSeconds(4),
                Duration.ofSeconds(10), "n1", "10.1.2.3", 25520, 65536, 1 << 20), s);
    }

    @Test
    void errorsNameKeyValueAndFile() {
        assertInvalid("atoll.cluster.zookeeper = \"zk1:99999\"", "atoll.cluster.zookeeper", "zk1:99999");
        assertInvalid("atoll.cluster.zookeeper = \"zk1\"", "atoll.cluster.zookeeper", "zk1");
        assertInvalid("atoll.cluster.zookeeper = \"zk1:2181,\"", "atoll.cluster.zookeeper", "zk1:2181,");
        assertInvalid("atoll.cluster.path = \"atoll/x\"", "atoll.cluster.path", "atoll/x");
        assertInvalid("atoll.cluster.path = \"/atoll/x/\"", "atoll.cluster.path", "/atoll/x/");
        assertInvalid("atoll.cluster.session-timeout = 5ms", "atoll.cluster.session-timeout", "5ms");
        assertInvalid("atoll.cluster.port = 70000", "atoll.cluster.port", "70000");
        assertInvalid("atoll.cluster.node-name = \"a/b\"", "atoll.cluster.node-name", "a/b");
        assertInvalid("atoll.cluster.outbound-queue = 0", "atoll.cluster.outbound-queue", "0");
        assertInvalid("atoll.cluster.max-frame-size = 1GiB", "atoll.cluster.max-frame-size", "1GiB");
    }

    private static void assertInvalid(String hocon, String key, String value) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> parse(hocon));
        assertEquals(key, e.path());
        assertTrue(e.value().contains(value), e.value());
        assertTrue(e.origin().contains("cluster.conf"), e.origin());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
