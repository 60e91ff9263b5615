package org.xenirqpolicy.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.testing.Fixtures;

/** The README's "Code layout" table names exactly the packages of the main code, and the classes it names exist there. */
class CodeLayoutTest {
    private static final Path MAIN = Fixtures.repo().resolve("src/main/java/org/xenirqpolicy");

    private static String section() {
        String readme = Fixtures.read(Fixtures.repo().resolve("README.md"));
        int start = readme.indexOf("\n## Code layout\n");
        assertTrue(start >= 0, "README.md has no '## Code layout' section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void theTableListsEveryPackage() throws IOException {
        Set<String> listed = new TreeSet<>();
        Matcher m = Pattern.compile("^\\| `([a-z]+)` \\|", Pattern.MULTILINE).matcher(section());
        while (m.find()) {
            listed.add(m.group(1));
        }
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(MAIN)) {
            dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
        }
        assertEquals(packages, listed);
    }

    @Test
    void eachClassARowNamesIsInThatPackage() {
        Matcher row = Pattern.compile("^\\| `([a-z]+)` \\|([^\\n]*)", Pattern.MULTILINE).matcher(section());
        while (row.find()) {
            Matcher name = Pattern.compile("`([A-Z][A-Za-z0-9]+)`").matcher(row.group(2));
            while (name.find()) {
                Path source = MAIN.resolve(row.group(1)).resolve(name.group(1) + ".java");
                assertTrue(Files.isRegularFile(source), row.group(1) + "/" + name.group(1) + " named in README's Code layout");
            }
        }
    }
}
