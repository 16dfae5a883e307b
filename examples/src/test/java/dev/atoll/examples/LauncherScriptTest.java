package dev.atoll.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests the functions of the {@code ./atoll} bash launcher by sourcing it (sourcing runs nothing),
 * with the system's bash: macOS's bash 3.2 on a Mac, so the CI matrix checks its portability too.
 */
class LauncherScriptTest {
    private static final Path LAUNCHER = Path.of("..", "atoll").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) { }

    /** Runs a bash snippet after sourcing the launcher; $1, $2 ... are the given arguments. */
    private static Run bash(Map<String, String> env, String snippet, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "source \"$ATOLL_LAUNCHER\"; " + snippet, "bash"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.environment().put("ATOLL_LAUNCHER", LAUNCHER.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Run(process.exitValue(), out, err);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "openjdk version \"17.0.15\" 2025-04-15\\nOpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)|17",
        "openjdk version \"25.0.3\" 2026-04-21 LTS|25",
        "openjdk version \"25\" 2025-09-16|25",
        "openjdk version \"26-ea\" 2026-03-17|26",
        "java version \"1.8.0_392\"\\nJava(TM) SE Runtime Environment|8",
        "Picked up JAVA_TOOL_OPTIONS: -Xmx1g\\nopenjdk version \"21.0.2\" 2024-01-16|21",
        "IMPLEMENTOR=\"Eclipse Adoptium\"\\nJAVA_VERSION=\"25.0.3\"\\nJAVA_VERSION_DATE=\"2026-04-21\"|25",
        "JAVA_VERSION=\"1.8.0_402\"|8",
        "bash: java: command not found|''",
    })
    void parsesTheMajorVersion(String text, String major) throws Exception {
        Run run = bash(Map.of(), "java_major_from_text \"$1\"", text.replace("\\n", "\n"));
        assertEquals(0, run.exit(), run.err());
        assertEquals(major.isEmpty() ? "" : major + "\n", run.out());
    }

    @Test
    void usesZgcAndCompactHeadersUnlessAFlagChoseOtherwise() throws Exception {
        String print = "split_args \"$@\"; default_jvm_flags; printf 'jvm %s\\n' \"${JVM_ARGS[@]}\"";
        assertEquals("jvm -XX:+UseZGC\njvm -XX:+UseCompactObjectHeaders\njvm -Xmx1g\n", bash(Map.of(), print, "hello", "-J-Xmx1g").out());
        assertEquals("jvm -XX:+UseCompactObjectHeaders\njvm -XX:+UseG1GC\n", bash(Map.of(), print, "hello", "-J-XX:+UseG1GC").out());
        assertEquals("jvm -XX:+UseZGC\njvm -XX:-UseCompactObjectHeaders\n",
                bash(Map.of(), print, "hello", "-J-XX:-UseCompactObjectHeaders").out());
        assertEquals("jvm -XX:+UseZGC\njvm -XX:+UseCompactObjectHeaders\n",
                bash(Map.of(), "set -u; split_args; default_jvm_flags; printf 'jvm %s\\n' \"${JVM_ARGS[@]}\"").out());
    }

    @Test
    void splitsJvmAndProgramArguments() throws Exception {
        Run run = bash(Map.of(), "split_args \"$@\"; printf 'jvm %s\\n' \"${JVM_ARGS[@]}\"; printf 'prog %s\\n' \"${PROGRAM_ARGS[@]}\"",
                "hello", "-Datoll.shards.count=2", "--port", "0", "-J-Xmx1g", "-Dkey=a b", "--", "-Dnot=jvm", "-Jnot");
        assertEquals("""
                jvm -Datoll.shards.count=2
                jvm -Xmx1g
                jvm -Dkey=a b
                prog hello
                prog --port
                prog 0
                prog -Dnot=jvm
                prog -Jnot
                """, run.out());
    }

    @Test
    void emptyArgumentListsAreSafeUnderSetU() throws Exception {
        Run run = bash(Map.of(), "set -u; split_args; echo \"${JVM_ARGS[@]+x}${PROGRAM_ARGS[@]+y}done\"");
        assertEquals(0, run.exit(), run.err());
        assertEquals("done\n", run.out());
    }

    private Path fakeJdk(String name, String releaseVersion) throws IOException {
        Path home = Files.createDirectories(dir.resolve("jvm").resolve(name));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + releaseVersion + "\"\n");
        executable(Files.createDirectories(home.resolve("bin")).resolve("java"),
                "echo 'openjdk version \"" + releaseVersion + "\"' >&2");
        return home;
    }

    private static void executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A PATH whose java is a JDK 17 stand-in, in front of the tools the launcher itself needs. */
    private String pathWithJava17() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        executable(bin.resolve("java"), "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2");
        return bin + ":/usr/bin:/bin";
    }

    @Test
    void picksTheHighestJdkOf25OrNewerUnderTheJvmDirectory() throws Exception {
        Path java17 = fakeJdk("java-17-openjdk", "17.0.15");
        fakeJdk("temurin-25-jdk", "25.0.3");
        Path jdk26 = fakeJdk("jdk-26", "26-ea");
        Run run = bash(Map.of("JAVA_HOME", java17.toString(), "ATOLL_JVM_DIR", dir.resolve("jvm").toString(),
                "PATH", pathWithJava17()), "find_jdk; echo \"$JDK_HOME\"");
        assertEquals(0, run.exit(), run.err());
        assertEquals(jdk26 + "\n", run.out());
    }

    @Test
    void javaHomeOf25WinsOverTheJvmDirectory() throws Exception {
        Path jdk25 = fakeJdk("temurin-25-jdk", "25.0.3");
        fakeJdk("jdk-26", "26");
        Run run = bash(Map.of("JAVA_HOME", jdk25.toString(), "ATOLL_JVM_DIR", dir.resolve("jvm").toString()),
                "find_jdk; echo \"$JDK_HOME\"");
        assertEquals(jdk25 + "\n", run.out());
    }

    @Test
    void withoutAJdk25ItSaysWhatItFoundAndWhatToInstall() throws Exception {
        Path java17 = fakeJdk("java-17-openjdk", "17.0.15");
        Run run = bash(Map.of("JAVA_HOME", java17.toString(), "ATOLL_JVM_DIR", dir.resolve("jvm").toString(),
                "PATH", pathWithJava17()), "find_jdk; echo unreachable");
        assertEquals(1, run.exit());
        assertEquals("", run.out());
        assertTrue(run.err().contains("Atoll needs a JDK 25 or newer"), run.err());
        assertTrue(run.err().contains("JAVA_HOME=" + java17 + " is 17"), run.err());
        assertTrue(run.err().contains(java17 + " is 17"), run.err());
        assertTrue(run.err().contains("java on PATH (" + dir.resolve("bin").resolve("java") + ") is 17"), run.err());
        assertTrue(run.err().contains("apt-get install temurin-25-jdk"), run.err());
        assertTrue(run.err().contains("JAVA_HOME=/path/to/jdk"), run.err());
    }

    /** The fingerprint of a tree: in a git checkout when {@code git} is true, else by walking it. */
    private String fingerprint(Path tree, boolean git) throws Exception {
        String snippet = (git ? "git -C \"$1\" init -q; " : "")
                + "ATOLL_ROOT=\"$1\"; JDK_HOME=/jdk; source_fingerprint";
        Run run = bash(Map.of(), snippet, tree.toString());
        assertEquals(0, run.exit(), run.err());
        return run.out();
    }

    @ParameterizedTest
    @CsvSource({"true", "false"})
    void fingerprintFollowsSourcesButNotBuildOutput(boolean git) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("pom.xml"), "<modules>\n  <module>m</module>\n</modules>\n");
        Path source = Files.createDirectories(tree.resolve("m/src")).resolve("A.java");
        Files.writeString(source, "class A {}\n");
        if (git) {
            Files.writeString(tree.resolve(".gitignore"), "target/\n");
        }
        String first = fingerprint(tree, git);
        assertEquals(first, fingerprint(tree, git), "stable");
        Files.createDirectories(tree.resolve("m/target")).resolve("A.class").toFile().createNewFile();
        assertEquals(first, fingerprint(tree, git), "build output is not a source");
        Files.writeString(source, "class A { int x; }\n");
        String edited = fingerprint(tree, git);
        assertNotEquals(first, edited, "an edit, committed or not, is a change");
        Files.writeString(tree.resolve("m/src/B.java"), "class B {}\n");
        assertNotEquals(edited, fingerprint(tree, git), "a new file is a change");
    }

    @Test
    void helpAndUnknownCommands() throws Exception {
        Run help = bash(Map.of(), "main help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("./atoll bench NAME [--json FILE] [--quick]"), help.out());
        Run unknown = bash(Map.of(), "main frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
    }
}
