package dev.atoll.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads, before a server accepts anything, every class of Atoll's own code that sits in a class
 * directory (as {@code ./atoll run} and the tests run the examples): a class first needed while the
 * process is out of descriptors ({@code EMFILE}, a connection flood) cannot be read from its file,
 * and the JVM keeps that failed resolution for good (JVMS §5.4.3), so the code path that needed it —
 * an HTTP response, say — would fail on every later call, long after the flood. A jar stays open
 * once read, so the classes in jars need no descriptor and are left alone. Classes are loaded, not
 * initialized.
 */
final class ClassPreload {
    private static final String PREFIX = "dev/atoll/";

    private ClassPreload() {
    }

    /**
     * Loads every class under {@code dev.atoll} in those code sources of {@code anchors} that are
     * class directories; returns how many were loaded.
     */
    static int loadAll(Class<?>... anchors) {
        Set<Path> sources = new LinkedHashSet<>();
        for (Class<?> anchor : anchors) {
            CodeSource source = anchor.getProtectionDomain().getCodeSource();
            if (source != null) {
                try {
                    Path path = Path.of(source.getLocation().toURI());
                    if (Files.isDirectory(path)) {
                        sources.add(path);
                    }
                } catch (URISyntaxException e) {
                    throw new IllegalStateException("the code source of " + anchor + " is not a path", e);
                }
            }
        }
        ClassLoader loader = ClassPreload.class.getClassLoader();
        int loaded = 0;
        for (Path source : sources) {
            for (String name : classNames(source)) {
                try {
                    Class.forName(name, false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // not loadable here (e.g. it needs an optional library); the code that needs it will say so
                }
            }
        }
        return loaded;
    }

    /** The binary names of the classes under {@link #PREFIX} in a class directory. */
    private static List<String> classNames(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .map(file -> directory.relativize(file).toString().replace('\\', '/'))
                    .filter(entry -> entry.startsWith(PREFIX) && entry.endsWith(".class") && !entry.endsWith("-info.class"))
                    .map(entry -> entry.substring(0, entry.length() - ".class".length()).replace('/', '.'))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing the classes in " + directory, e);
        }
    }
}
