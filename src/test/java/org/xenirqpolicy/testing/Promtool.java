package org.xenirqpolicy.testing;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own checker, promtool (Debian package prometheus): under CI a missing one fails
 * the test, elsewhere the test is skipped, as for the other tools.
 */
public final class Promtool {
    public static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private Promtool() {
    }

    /** What promtool said and its exit status. */
    public record Result(int status, String output) {
    }

    public static void requirePresent() {
        Fixtures.requireExecutables("apt-get install prometheus", PROMTOOL.toString());
    }

    /** {@code promtool check metrics} on {@code exposition}, given on its standard input as a scrape would be. */
    public static Result checkMetrics(String exposition, Path scratch) {
        try {
            Path file = scratch.resolve("metrics-" + System.nanoTime() + ".prom");
            Files.writeString(file, exposition, StandardCharsets.UTF_8);
            return run(new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectInput(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code promtool check metrics} on the bytes a command wrote, as they are. */
    public static Result checkMetrics(byte[] exposition, Path scratch) {
        try {
            Path file = Files.write(scratch.resolve("metrics-" + System.nanoTime() + ".prom"), exposition);
            return run(new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectInput(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code promtool check rules FILE}. */
    public static Result checkRules(Path rules) {
        return run(new ProcessBuilder(PROMTOOL.toString(), "check", "rules", rules.toString()));
    }

    /** {@code promtool test rules FILE}: unit tests of alerting rules on given series. */
    public static Result testRules(Path tests) {
        return run(new ProcessBuilder(PROMTOOL.toString(), "test", "rules", tests.toString()));
    }

    private static Result run(ProcessBuilder pb) {
        try {
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("promtool did not finish in 60 s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
