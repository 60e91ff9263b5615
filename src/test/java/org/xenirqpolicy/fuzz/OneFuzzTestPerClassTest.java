package org.xenirqpolicy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.xenirqpolicy.testing.Fixtures;

/**
 * The ci-fuzz profile runs every class named *FuzzTest in a JVM of its own (surefire's
 * reuseForks=false), and Jazzer fuzzes one @FuzzTest per JVM: so each such class holds exactly
 * one, or the others would only ever run on their seeds. Each seed directory names a fuzz test
 * that exists, so that no seeds lie forgotten after a rename.
 */
class OneFuzzTestPerClassTest {
    private static final String PACKAGE = OneFuzzTestPerClassTest.class.getPackageName();

    /** Class simple name to its @FuzzTest methods, for every class of this package's sources. */
    private static Map<String, List<String>> fuzzTests() throws IOException, ClassNotFoundException {
        Map<String, List<String>> found = new TreeMap<>();
        Path sources = Fixtures.repo().resolve("src/test/java/" + PACKAGE.replace('.', '/'));
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.java$", "");
                List<String> methods = new ArrayList<>();
                for (Method m : Class.forName(PACKAGE + "." + name).getDeclaredMethods()) {
                    if (m.isAnnotationPresent(FuzzTest.class)) {
                        methods.add(m.getName());
                    }
                }
                if (!methods.isEmpty()) {
                    found.put(name, methods);
                }
            }
        }
        return found;
    }

    @Test
    void everyFuzzClassIsNamedForTheFuzzRunAndHoldsOneFuzzTest() throws Exception {
        Map<String, List<String>> fuzzTests = fuzzTests();
        assertTrue(fuzzTests.size() >= 6, fuzzTests.toString());
        fuzzTests.forEach((cls, methods) -> {
            assertTrue(cls.endsWith("FuzzTest"), cls + ": the fuzz run picks classes named *FuzzTest");
            assertEquals(1, methods.size(), cls + " holds " + methods + ": Jazzer fuzzes one per JVM");
        });
    }

    @Test
    void everySeedDirectoryBelongsToAFuzzTest() throws Exception {
        Map<String, List<String>> fuzzTests = fuzzTests();
        Path seeds = Fixtures.repo().resolve("src/test/resources/" + PACKAGE.replace('.', '/'));
        try (Stream<Path> dirs = Files.list(seeds)) {
            for (Path dir : dirs.sorted().toList()) {
                String cls = dir.getFileName().toString().replaceFirst("Inputs$", "");
                List<String> methods = fuzzTests.getOrDefault(cls, List.of());
                try (Stream<Path> methodDirs = Files.list(dir)) {
                    for (Path m : methodDirs.toList()) {
                        assertTrue(methods.contains(m.getFileName().toString()), "seeds of no fuzz test: " + m);
                    }
                }
            }
        }
    }
}
