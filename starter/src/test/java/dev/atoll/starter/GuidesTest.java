package dev.atoll.starter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Java blocks of the guides are excerpts of code that is compiled and run: docs/your-first-service.md
 * of the project ./atoll new writes (which ArtifactsAndStarterTest builds and runs), docs/testing.md of
 * the test kit's TestKitGuideExamplesTest.
 */
class GuidesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void yourFirstServiceShowsOnlyCodeOfTheProjectItWalksThrough() throws IOException {
        Path project = NewProject.run(new String[] {dir.resolve("tally").toString(), "--package", "com.example.tally"},
                ROOT.resolve("pom.xml"));
        StringBuilder all = new StringBuilder();
        for (String file : ProjectTemplate.FILES) {
            all.append(Files.readString(project.resolve(file.replace("__package__", "com/example/tally")))).append('\n');
        }
        Path code = Files.writeString(dir.resolve("all-of-it.txt"), all);
        assertEquals(4, GuideExcerpts.checkEveryJavaBlockIsIn(ROOT.resolve("docs/your-first-service.md"), code));
    }

    @Test
    void testingShowsOnlyCodeOfItsCompiledExamples() throws IOException {
        assertEquals(5, GuideExcerpts.checkEveryJavaBlockIsIn(ROOT.resolve("docs/testing.md"),
                ROOT.resolve("testkit/src/test/java/dev/atoll/testkit/TestKitGuideExamplesTest.java")));
    }
}
