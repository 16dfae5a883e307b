package dev.atoll.cluster;

import dev.atoll.cluster.demo.ClusterDemo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./atoll run cluster} as a test: three node JVMs, a SIGKILL, the watchers told, every counted message delivered. */
class ClusterDemoTest {
    private static final Pattern DELIVERED = Pattern.compile("delivered=(\\d+) .* dead-letters=(\\d+)");

    @Test
    void theDemoKillsANodeTellsTheWatchersAndMovesTheCounters() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean finished = ClusterDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), java.time.Duration.ofSeconds(2));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(finished, out);
        assertTrue(out.contains("node-1: terminated sentinel-node-3"), out);
        assertTrue(out.contains("node-2: terminated sentinel-node-3"), out);
        List<String> lines = out.lines().toList();
        int after = lines.indexOf(lines.stream().filter(l -> l.startsWith("counters after node-3 died")).findFirst().orElseThrow());
        long delivered = 0;
        long deadLetters = 0;
        for (String line : lines.subList(after + 1, after + 3)) {
            Matcher m = DELIVERED.matcher(line);
            assertTrue(m.find(), line);
            delivered += Long.parseLong(m.group(1));
            deadLetters += Long.parseLong(m.group(2));
        }
        // What node-3 received before it was killed is gone with it; everything sent after it left arrived.
        long beforeKill = lines.subList(0, after).stream().filter(l -> l.contains("node-3 delivered="))
                .mapToLong(l -> { Matcher m = DELIVERED.matcher(l); m.find(); return Long.parseLong(m.group(1)); }).sum();
        assertEquals(3 * 3_000 + 2 * 3_000 - beforeKill, delivered, out);
        assertEquals(0, deadLetters, out);
    }
}
