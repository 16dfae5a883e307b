package dev.atoll.starter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that each Java block of a guide is an excerpt of compiled code: the same lines, indented alike. */
final class GuideExcerpts {
    private GuideExcerpts() {
    }

    /** Every ```java block of {@code guide} is, line for line, somewhere in {@code source}; returns how many. */
    static int checkEveryJavaBlockIsIn(Path guide, Path source) throws IOException {
        List<String> code = Files.readAllLines(source);
        List<List<String>> blocks = javaBlocks(Files.readAllLines(guide));
        for (List<String> block : blocks) {
            assertTrue(containsIndented(code, block), "this block of " + guide + " is not in " + source + ":\n"
                    + String.join("\n", block));
        }
        return blocks.size();
    }

    private static List<List<String>> javaBlocks(List<String> lines) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            if (current == null && line.strip().equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && line.strip().equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    private static boolean containsIndented(List<String> code, List<String> block) {
        for (int start = 0; start + block.size() <= code.size(); start++) {
            String first = code.get(start);
            if (!first.strip().equals(block.getFirst().strip()) || first.isBlank()) {
                continue;
            }
            String indent = first.substring(0, first.length() - first.stripLeading().length());
            boolean all = true;
            for (int i = 0; i < block.size() && all; i++) {
                String expected = block.get(i).isBlank() ? "" : indent + block.get(i);
                all = code.get(start + i).stripTrailing().equals(expected.stripTrailing());
            }
            if (all) {
                return true;
            }
        }
        return false;
    }
}
