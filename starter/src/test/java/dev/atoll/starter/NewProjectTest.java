package dev.atoll.starter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What ./atoll new writes, and what it refuses. (ArtifactsAndStarterTest builds and runs what it writes.) */
class NewProjectTest {
    static final Path ATOLL_POM = Path.of("..", "pom.xml").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void writesEveryFileWithEveryPlaceholderFilledIn() throws IOException {
        Path project = NewProject.run(new String[] {dir.resolve("Order Book").toString(), "--package", "org.acme.orders"}, ATOLL_POM);
        assertEquals(dir.resolve("Order Book"), project);
        for (String file : ProjectTemplate.FILES) {
            Path written = project.resolve(file.replace("__package__", "org/acme/orders"));
            String text = Files.readString(written);
            assertFalse(text.contains("{{"), written + " still has a placeholder");
            if (file.endsWith(".java")) {
                assertTrue(text.startsWith("package org.acme.orders;"), written.toString());
            }
        }
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>order-book</artifactId>"), pom);
        Map<String, String> versions = ProjectTemplate.atollVersions(ATOLL_POM);
        assertTrue(pom.contains("<atoll.version>" + versions.get("atoll.version") + "</atoll.version>"));
        for (String property : ProjectTemplate.BUILD_PROPERTIES) {
            assertTrue(pom.contains(">" + versions.get(property) + "<"), property + " " + versions.get(property) + " is not pinned");
        }
        assertTrue(pom.contains("<main.class>org.acme.orders.Main</main.class>"));
    }

    @Test
    void thePackageDefaultsToOneMadeFromTheDirectory() throws IOException {
        Path project = NewProject.run(new String[] {dir.resolve("hello-service").toString()}, ATOLL_POM);
        assertTrue(Files.isRegularFile(project.resolve("src/main/java/com/example/helloservice/Main.java")));
    }

    @Test
    void refusesANonEmptyDirectoryABadPackageAndANamelessDirectory() throws IOException {
        Files.writeString(Files.createDirectories(dir.resolve("taken")).resolve("notes.txt"), "mine");
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> NewProject.run(new String[] {dir.resolve("taken").toString()}, ATOLL_POM));
        assertTrue(taken.getMessage().contains("not empty"), taken.getMessage());
        assertEquals(List.of("notes.txt"), List.of(dir.resolve("taken").toFile().list()), "nothing was written");

        for (String bad : List.of("Com.Example", "com.example.class", "1st.pkg", "com..example")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> NewProject.run(new String[] {dir.resolve("x").toString(), "--package", bad}, ATOLL_POM));
            assertTrue(error.getMessage().contains(bad), error.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> NewProject.run(new String[] {dir.resolve("42").toString()}, ATOLL_POM));
        assertThrows(IllegalArgumentException.class, () -> NewProject.run(new String[] {}, ATOLL_POM));
        assertThrows(IllegalArgumentException.class, () -> NewProject.run(new String[] {"a", "b"}, ATOLL_POM));
        assertThrows(IllegalArgumentException.class, () -> NewProject.run(new String[] {"a", "--package"}, ATOLL_POM));
    }

    @Test
    void theBomHasTheParentsVersionAndManagesEveryLibraryModule() throws IOException {
        Path root = ATOLL_POM.getParent();
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        String version = ProjectTemplate.atollVersions(ATOLL_POM).get("atoll.version");
        assertTrue(bom.contains("<artifactId>atoll-bom</artifactId>\n  <version>" + version + "</version>"), "the BOM's version is the parent's");
        String launcher = Files.readString(root.resolve("atoll"));
        String modules = launcher.substring(launcher.indexOf("ATOLL_LIBRARY_MODULES=\"") + 23);
        modules = modules.substring(0, modules.indexOf('"'));
        for (String module : modules.split(",")) {
            if (!module.equals("bom")) {
                assertTrue(bom.contains("<artifactId>atoll-" + module + "</artifactId>"), "the BOM manages atoll-" + module);
            }
        }
        String installVersion = Files.readString(ATOLL_POM).replaceAll("(?s).*<maven-install-plugin.version>([^<]+)<.*", "$1");
        assertTrue(bom.contains("<version>" + installVersion + "</version>"), "the BOM pins the parent's install plugin");
    }
}
