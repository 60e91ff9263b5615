package org.xenirqpolicy.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real captures in ../shared/fixtures beside the repository. Under CI (CI=true) a missing
 * capture fails the test; elsewhere the caller may skip.
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path repo() {
        return Path.of(System.getProperty("project.basedir", ".")).toAbsolutePath().normalize();
    }

    public static Path shared() {
        return repo().resolve("../shared").normalize();
    }

    public static boolean inCi() {
        return "true".equals(System.getenv("CI"));
    }

    /**
     * Something the test cannot run without is missing: under CI=true a failure (the CI machine
     * must have it, so a skip would hide a test that never ran), elsewhere a skip with the reason.
     */
    public static void unmet(String reason) {
        if (inCi()) {
            fail(reason);
        }
        Assumptions.abort(reason);
    }

    /** {@link #unmet} unless every program is there; {@code install} says how to get them. */
    public static void requireExecutables(String install, String... programs) {
        List<String> missing = Stream.of(programs).filter(p -> !Files.isExecutable(Path.of(p))).toList();
        if (!missing.isEmpty()) {
            unmet("needs " + String.join(", ", missing) + " (" + install + ")");
        }
    }

    /** A file or directory under ../shared that the test needs. */
    public static Path required(String relative) {
        Path p = shared().resolve(relative);
        if (!Files.exists(p)) {
            unmet(p + " is missing: the tests read the real captures in ../shared beside the repository");
        }
        return p;
    }

    public static List<Path> interruptCaptures() {
        try (Stream<Path> files = Files.list(required("fixtures/interrupts"))) {
            List<Path> list = files.filter(Files::isRegularFile).sorted().toList();
            if (list.isEmpty()) {
                fail("no captures in " + shared().resolve("fixtures/interrupts"));
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
