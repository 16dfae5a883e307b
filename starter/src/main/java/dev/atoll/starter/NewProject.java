package dev.atoll.starter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code ./atoll new DIR [--package P]}: writes a standalone Maven project in {@code DIR} that uses
 * Atoll through its BOM (see {@link ProjectTemplate} and docs/your-first-service.md). The launcher runs
 * this file straight from its source (no build of Atoll needed), with {@code -Datoll.pom} naming
 * Atoll's root pom, whose versions the new project takes.
 */
public final class NewProject {
    static final String USAGE = """
            Usage: ./atoll new DIR [--package P]

            Writes a new Maven project in DIR (which must not exist, or be empty): one actor, a TCP
            endpoint in front of it, application.conf, a test on Atoll's test kit, and a README.
              --package P   its Java package (default com.example.NAME, NAME from DIR)
            It depends on Atoll through dev.atoll:atoll-bom: run ./atoll install once first.
            """;

    private NewProject() {
    }

    public static void main(String[] args) {
        try {
            Path written = run(args, Path.of(System.getProperty("atoll.pom", "pom.xml")));
            if (written == null) {
                System.out.print(USAGE);
                return;
            }
            System.out.println("""
                    Next:
                      cd %s
                      mvn test                   # its tests
                      mvn -q compile exec:exec   # run it on 127.0.0.1:7070; then: nc 127.0.0.1 7070, type add 5, get
                    (It needs Atoll in your local Maven repository: ./atoll install, once.)""".formatted(written));
        } catch (IllegalArgumentException e) {
            System.err.println("atoll new: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("atoll new: " + e);
            System.exit(1);
        }
    }

    /** Parses the arguments and writes the project; returns its directory, or null when help was asked for. */
    static Path run(String[] args, Path atollPom) throws IOException {
        Path directory = null;
        String packageName = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--package" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--package needs a value");
                    }
                    packageName = args[++i];
                }
                case "-h", "--help" -> {
                    return null;
                }
                default -> {
                    if (args[i].startsWith("-") || directory != null) {
                        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                    }
                    directory = Path.of(args[i]);
                }
            }
        }
        if (directory == null) {
            throw new IllegalArgumentException("which directory?");
        }
        directory = directory.toAbsolutePath().normalize();
        String artifactId = artifactId(directory);
        ProjectTemplate template = ProjectTemplate.of(artifactId,
                packageName != null ? packageName : "com.example." + artifactId.replace("-", ""), atollPom);
        for (Path file : template.writeTo(directory)) {
            System.out.println("  " + directory.relativize(file));
        }
        return directory;
    }

    /** A Maven artifact id from the directory's name: lower case, words joined by hyphens. */
    static String artifactId(Path directory) {
        Path name = directory.getFileName();
        String id = name == null ? "" : name.toString().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (id.isEmpty() || !Character.isLetter(id.charAt(0))) {
            throw new IllegalArgumentException("cannot make a project name from '" + directory
                    + "': its last part must start with a letter");
        }
        return id;
    }
}
