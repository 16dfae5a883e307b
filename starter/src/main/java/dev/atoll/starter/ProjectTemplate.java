package dev.atoll.starter;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import javax.lang.model.SourceVersion;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project {@code ./atoll new} writes: the template files (resources under {@code template/}, each
 * ending in {@code .tmpl}) with their {@code {{placeholders}}} filled in: the package, the artifact id,
 * and the versions of Atoll's own build (its root pom), so that the new project uses the same Atoll,
 * JUnit, Logback and Maven plugins, and builds offline from what Atoll's build fetched.
 */
final class ProjectTemplate {
    /** Every file of a new project; {@code __package__} stands for the package's directories. */
    static final List<String> FILES = List.of(
            "pom.xml",
            "README.md",
            ".gitignore",
            "src/main/resources/application.conf",
            "src/main/resources/logback.xml",
            "src/main/java/__package__/Counter.java",
            "src/main/java/__package__/LineProtocol.java",
            "src/main/java/__package__/Main.java",
            "src/test/java/__package__/CounterTest.java");

    /** The properties of Atoll's root pom that the templates use, besides its version. */
    static final List<String> BUILD_PROPERTIES = List.of(
            "junit.version", "logback.version", "maven-clean-plugin.version", "maven-resources-plugin.version",
            "maven-compiler-plugin.version", "maven-surefire-plugin.version", "maven-jar-plugin.version",
            "maven-install-plugin.version", "maven-dependency-plugin.version", "exec-maven-plugin.version");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z.-]+)}}");

    private final Map<String, String> values;

    private ProjectTemplate(Map<String, String> values) {
        this.values = values;
    }

    /**
     * The template for a project with this artifact id and package, on the versions of the Atoll build
     * whose root pom is {@code atollPom}.
     *
     * @throws IllegalArgumentException when the package is not a Java package name, or the pom lacks a version
     */
    static ProjectTemplate of(String artifactId, String packageName, Path atollPom) {
        if (!SourceVersion.isName(packageName) || !packageName.equals(packageName.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("'" + packageName + "' is not a Java package name in lower case (e.g. com.example.hello)");
        }
        Map<String, String> values = new LinkedHashMap<>(atollVersions(atollPom));
        values.put("package", packageName);
        values.put("artifactId", artifactId);
        return new ProjectTemplate(values);
    }

    /** Atoll's version ({@code atoll.version}) and {@link #BUILD_PROPERTIES}, read from its root pom. */
    static Map<String, String> atollVersions(Path atollPom) {
        Element project;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document document = factory.newDocumentBuilder().parse(atollPom.toFile());
            project = document.getDocumentElement();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Atoll's pom " + atollPom, e);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalArgumentException("cannot parse Atoll's pom " + atollPom + ": " + e.getMessage(), e);
        }
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("atoll.version", childText(project, "version", atollPom));
        Element properties = child(project, "properties", atollPom);
        for (String name : BUILD_PROPERTIES) {
            versions.put(name, childText(properties, name, atollPom));
        }
        return versions;
    }

    private static Element child(Element parent, String name, Path pom) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        throw new IllegalArgumentException("Atoll's pom " + pom + " has no <" + name + "> under <" + parent.getTagName() + ">");
    }

    private static String childText(Element parent, String name, Path pom) {
        String text = child(parent, name, pom).getTextContent().strip();
        if (text.isEmpty() || text.contains("${")) {
            throw new IllegalArgumentException("Atoll's pom " + pom + ": <" + name + "> is not a plain value: '" + text + "'");
        }
        return text;
    }

    /** Where {@code file} (one of {@link #FILES}) goes in the new project. */
    Path target(Path projectDirectory, String file) {
        return projectDirectory.resolve(file.replace("__package__", values.get("package").replace('.', '/')));
    }

    /** The text of {@code file} (one of {@link #FILES}), every placeholder filled in. */
    String render(String file) {
        String resource = "template/" + (file.equals(".gitignore") ? "gitignore" : file) + ".tmpl";
        String text;
        try (InputStream in = ProjectTemplate.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the starter's template " + resource + " is missing");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException("the template " + resource + " uses an unknown placeholder " + matcher.group());
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * Writes every file under {@code projectDirectory}, which must not exist or be empty; returns the
     * files written.
     */
    List<Path> writeTo(Path projectDirectory) throws IOException {
        if (Files.exists(projectDirectory)) {
            if (!Files.isDirectory(projectDirectory)) {
                throw new IllegalArgumentException(projectDirectory + " exists and is not a directory");
            }
            try (var entries = Files.list(projectDirectory)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(projectDirectory + " exists and is not empty: choose a new directory");
                }
            }
        }
        List<Path> written = new ArrayList<>();
        for (String file : FILES) {
            Path target = target(projectDirectory, file);
            Files.createDirectories(target.getParent());
            Files.writeString(target, render(file));
            written.add(target);
        }
        return written;
    }
}
