package org.xenirqpolicy.testing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.xenirqpolicy.cli.Main;

/** Runs the CLI in-process and captures exactly what a user would see. */
public final class Cli {
    public record Result(int status, String out, String err) {
    }

    private Cli() {
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(status, out.toString(), err.toString());
    }

    /** As {@link #run}, with standard output a terminal of {@code width} columns, as the launcher says. */
    public static Result runOnTerminal(int width, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out), new PrintWriter(err), width);
        return new Result(status, out.toString(), err.toString());
    }

    /**
     * The command line that runs the CLI in its own JVM, as the launcher does: for tests that
     * need a process of its own (the lock is a process lock; a process can be killed).
     */
    public static List<String> inOwnJvm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "org.xenirqpolicy.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The sample dom0 shipped in src/sample, copied to {@code target} so a test may change it. */
    public static Path sampleDom0(Path target) {
        copyTree(Fixtures.repo().resolve("src/sample/fedora26-dom0"), target);
        return target;
    }

    public static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            List<Path> all = new ArrayList<>(walk.toList());
            for (Path p : all) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    // A link stays a link (the plan's, to its directory beside it), as cp -a keeps it.
                    Files.deleteIfExists(dest);
                    Files.copy(p, dest, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
