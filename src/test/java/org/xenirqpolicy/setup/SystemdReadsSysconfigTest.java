package org.xenirqpolicy.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenirqpolicy.read.EnvironmentFile;
import org.xenirqpolicy.read.ShellVars;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.Fixtures;

/**
 * Every /etc/sysconfig/irqbalance of the corpus against systemd's own code, before and after
 * {@code install}. Two readers from Debian 12's systemd 252 package:
 * <ul>
 * <li>systemd's own functions for EnvironmentFile= and ExecStart=, from its private library
 * libsystemd-shared-252.so, through src/test/c/systemd-env-file.c: load_env_file and
 * strv_env_clean as irqbalance.service's EnvironmentFile= runs them, then replace_env_argv,
 * which makes irqbalance's arguments of {@code $IRQBALANCE_ARGS};</li>
 * <li>the environment.d generator, which runs the same parser over ~/.config/environment.d/*.conf
 * and prints what it set. It differs from EnvironmentFile= in two ways, accounted for here: it
 * skips a key with an empty value ({@code A=}, {@code A=""}) where EnvironmentFile= sets it to
 * "", and it expands $VAR, which EnvironmentFile= does not (values holding '$' are not
 * compared; the corpus has none).</li>
 * </ul>
 * After install, sh (dash, with globbing off) must read the same words as systemd passes irqbalance.
 */
class SystemdReadsSysconfigTest {
    private static final Path CORPUS = Fixtures.repo().resolve("src/test/resources/sysconfig");
    private static final Path GENERATOR = Path.of("/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator");
    private static final String SYSCONFIG = "/etc/sysconfig/irqbalance";

    @TempDir
    Path tmp;

    static Stream<Path> corpus() throws IOException {
        try (Stream<Path> list = Files.list(CORPUS)) {
            return list.filter(p -> p.toString().endsWith(".env")).sorted().toList().stream();
        }
    }

    private static final Path LIBSYSTEMD_SHARED = Path.of("/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so");

    /** What systemd 252 makes of a file: load_env_file's status, the environment, the words of $IRQBALANCE_ARGS. */
    record Systemd(int status, Map<String, String> env, List<String> words) {
    }

    /** src/test/c/systemd-env-file.c, built once against systemd's private library. */
    private static synchronized Path systemdEnvFile() throws Exception {
        if (!Files.exists(LIBSYSTEMD_SHARED) || !Files.isExecutable(Path.of("/usr/bin/cc"))) {
            Fixtures.unmet("needs " + LIBSYSTEMD_SHARED + " (Debian 12's systemd package) and cc");
        }
        Path out = Fixtures.repo().resolve("target/test-tools/systemd-env-file");
        if (!Files.isExecutable(out)) {
            Files.createDirectories(out.getParent());
            Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", out.toString(),
                    Fixtures.repo().resolve("src/test/c/systemd-env-file.c").toString(),
                    "-L" + LIBSYSTEMD_SHARED.getParent(), "-l:" + LIBSYSTEMD_SHARED.getFileName(),
                    "-Wl,-rpath," + LIBSYSTEMD_SHARED.getParent()).redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(cc.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, cc.exitValue(), log);
        }
        return out;
    }

    private Systemd systemd(byte[] file) throws Exception {
        Path f = Files.createTempFile(tmp, "sysconfig", ".env");
        Files.write(f, file);
        Process p = new ProcessBuilder(systemdEnvFile().toString(), f.toString(), IrqbalanceArgs.VARIABLE)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = latin1(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        List<String> items = new ArrayList<>(List.of(out.split("\0", -1)));
        items.removeLast();
        int status = Integer.parseInt(items.getFirst());
        Map<String, String> env = new LinkedHashMap<>();
        int i = 1;
        for (; status == 0 && !items.get(i).isEmpty(); i++) {
            int eq = items.get(i).indexOf('=');
            env.put(items.get(i).substring(0, eq), items.get(i).substring(eq + 1));
        }
        return new Systemd(status, env, status == 0 ? items.subList(i + 1, items.size()) : List.of());
    }

    /** What our reading of systemd says of {@code text}, in the shape of {@link #systemd}. */
    private static Systemd ours(String text) {
        EnvironmentFile.Reading r = EnvironmentFile.read(text);
        Map<String, String> env = new LinkedHashMap<>();
        r.assignments().forEach(a -> env.put(a.key(), a.value()));
        return r.refused() ? new Systemd(-1, Map.of(), List.of())
                : new Systemd(0, env, env.containsKey(IrqbalanceArgs.VARIABLE)
                        ? EnvironmentFile.execWords(env.get(IrqbalanceArgs.VARIABLE)) : List.of());
    }

    /** Statuses compared as refused or not: the errno is systemd's business. */
    private static Systemd refusedAsOne(Systemd s) {
        return s.status() < 0 ? new Systemd(-1, Map.of(), List.of()) : s;
    }

    private static void requireGenerator() {
        if (!Files.isExecutable(GENERATOR)) {
            if (Fixtures.inCi()) {
                fail(GENERATOR + " is missing: install Debian's systemd package");
            }
            assumeTrue(false, GENERATOR + " is missing");
        }
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void systemdReadsTheFileAsWeDoAndAfterInstallPassesTheHookAsShReadsIt(Path file) throws Exception {
        requireGenerator();
        String name = file.getFileName().toString();
        byte[] original = Files.readAllBytes(file);
        assertEquals(generatorModel(latin1(original)), generator(original, EnvironmentFile.pushes(latin1(original))),
                name + ": our reading of systemd's parser, before install");
        assertEquals(refusedAsOne(systemd(original)), ours(latin1(original)), name + ": our reading of systemd, before install");

        Path root = tmp.resolve("root");
        Path sysconfig = root.resolve(SYSCONFIG.substring(1));
        Files.createDirectories(sysconfig.getParent());
        Files.write(sysconfig, original);
        Cli.Result install = Cli.run("install", "--root", root.toString());
        if (name.endsWith(".other-policy.env") || name.endsWith(".refused.env")) {
            assertNotEquals(0, install.status(), name + ": " + install.out());
            assertEquals(latin1(original), latin1(Files.readAllBytes(sysconfig)), name + ": left unchanged");
            if (name.endsWith(".refused.env")) {
                assertEquals(1, install.err().lines().count(), install.err());
                // The refusal is right: the edit install would make leaves systemd and sh at odds.
                String wouldBe = ((IrqbalanceArgs.Decision.Write) IrqbalanceArgs.install(latin1(original))).text();
                List<String> systemd = systemd(wouldBe.getBytes(StandardCharsets.ISO_8859_1)).words();
                List<String> sh = shWords(wouldBe.getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(!systemd.equals(sh) || !IrqbalanceArgs.HOOK.equals(IrqbalanceArgs.policyScript(systemd)),
                        name + ": systemd " + systemd + ", sh " + sh);
            }
            return;
        }
        assertEquals(0, install.status(), name + ": " + install.err());
        byte[] installed = Files.readAllBytes(sysconfig);
        String text = latin1(installed);
        Map<String, String> bySystemd = generator(installed, EnvironmentFile.pushes(text));
        assertEquals(generatorModel(text), bySystemd, name + ": our reading of systemd's parser, after install");
        Systemd real = systemd(installed);
        assertEquals(refusedAsOne(real), ours(text), name + ": our reading of systemd, after install");
        assertEquals(bySystemd.get(IrqbalanceArgs.VARIABLE), real.env().get(IrqbalanceArgs.VARIABLE), name + ": generator and library");
        List<String> words = real.words();
        assertEquals(IrqbalanceArgs.HOOK, IrqbalanceArgs.policyScript(words), name + ": " + words);
        if (!name.contains("seed")) {
            // The seed's script is replaced where it stands; everywhere else ours comes last.
            assertEquals(IrqbalanceArgs.OUR_ARG, words.getLast(), name + ": " + words);
        }
        ShellVars.Assignment ours = ShellVars.last(EnvironmentFile.read(text).assignments(), IrqbalanceArgs.VARIABLE);
        assertEquals(bySystemd.get(IrqbalanceArgs.VARIABLE), ours.value(), name);
        List<String> sh = shWords(installed);
        assertEquals(words, sh, name + ": what systemd passes irqbalance and what sh reads");
        assertEquals(sh, IrqbalanceArgs.shellWords(ShellVars.last(ShellVars.parse(text), IrqbalanceArgs.VARIABLE).value()),
                name + ": our reading of sh");
    }

    /**
     * Texts made of the pieces the grammar turns on (quotes, escapes, comments, CR, export, UTF-8
     * and Latin-1 bytes, NUL), fixed seed: our reading of systemd sets what systemd's
     * EnvironmentFile= code sets, makes the same arguments of $IRQBALANCE_ARGS, and sets what the
     * generator sets. Texts systemd refuses as a whole are not given to the generator: that of
     * systemd 252 aborts (double free) on a value that is not UTF-8.
     */
    @org.junit.jupiter.api.Test
    void ourReadingOfSystemdsParserAgreesWithItOnMadeUpTexts() throws Exception {
        requireGenerator();
        String[] pieces = {"A", "B", "=", "\"", "'", "\\", " ", "\t", "\n", "\r", "#", ";", "x", "1", "export ", "A=", "B=",
                "\\\n", "\u00c3\u00a9", "`", "\u00e9", "\u0001", "\u0000", "IRQBALANCE_ARGS=", " '", "\" "};
        Random random = new Random(9);
        int compared = 0;
        for (int n = 0; n < 400; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(20); i >= 0; i--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String t = text.toString();
            byte[] bytes = t.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(refusedAsOne(systemd(bytes)), ours(t), t);
            if (EnvironmentFile.read(t).refused()) {
                continue;
            }
            assertEquals(generatorModel(t), generator(bytes, EnvironmentFile.pushes(t)), t);
            compared++;
        }
        assertTrue(compared > 200, compared + " texts compared");
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * What the generator sets from the pushes of our reader of systemd's parser: keys with no
     * value and invalid names skipped, reading stopped at invalid UTF-8 (as merge_env_file does).
     */
    private static Map<String, String> generatorModel(String text) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvironmentFile.Push p : EnvironmentFile.pushes(text)) {
            if (p.value() == null || !p.key().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                continue;
            }
            if (!EnvironmentFile.isUtf8(p.key()) || !EnvironmentFile.isUtf8(p.value())) {
                break;
            }
            if (!p.value().contains("$")) {
                env.put(p.key(), p.value());
            }
        }
        return env;
    }

    /** The generator run over {@code file}: the variables it set from it (of the keys the file names). */
    private Map<String, String> generator(byte[] file, List<EnvironmentFile.Push> keys) throws Exception {
        Path home = Files.createTempDirectory(tmp, "xdg");
        Files.createDirectories(home.resolve("environment.d"));
        Files.write(home.resolve("environment.d/zz-sysconfig.conf"), file);
        Process p = new ProcessBuilder("env", "-i", "XDG_CONFIG_HOME=" + home, GENERATOR.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        Set<String> named = new HashSet<>();
        keys.forEach(k -> named.add(k.key()));
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : parseGeneratorOutput(latin1(out)).entrySet()) {
            if (named.contains(e.getKey()) && !e.getValue().contains("$")) {
                env.put(e.getKey(), e.getValue());
            }
        }
        return env;
    }

    /**
     * KEY=VALUE lines, VALUE bare or in double quotes (shell_maybe_quote): a backslash before
     * "\`$, C escapes for control characters (\t, \n, ...), three octal digits for others.
     */
    static Map<String, String> parseGeneratorOutput(String out) {
        Map<String, String> env = new LinkedHashMap<>();
        int i = 0;
        while (i < out.length()) {
            int eq = out.indexOf('=', i);
            String key = out.substring(i, eq);
            StringBuilder v = new StringBuilder();
            i = eq + 1;
            if (i < out.length() && out.charAt(i) == '"') {
                for (i++; out.charAt(i) != '"'; i++) {
                    if (out.charAt(i) != '\\') {
                        v.append(out.charAt(i));
                        continue;
                    }
                    // cescape_char: control characters as C escapes, others as three octal digits.
                    char e = out.charAt(++i);
                    int octal = "01234567".indexOf(e);
                    if (octal >= 0) {
                        v.append((char) Integer.parseInt(out.substring(i, i + 3), 8));
                        i += 2;
                    } else {
                        int named = "abfnrtv".indexOf(e);
                        v.append(named >= 0 ? "\u0007\b\f\n\r\t\u000b".charAt(named) : e);
                    }
                }
                i++;
            } else {
                while (out.charAt(i) != '\n') {
                    v.append(out.charAt(i++));
                }
            }
            assertEquals('\n', out.charAt(i), out);
            i++;
            env.put(key, v.toString());
        }
        return env;
    }

    /**
     * The words of $IRQBALANCE_ARGS as sh reads the file: sourced by dash with globbing off. sh
     * reads a CR before a line break as part of the value, so the file goes to sh with its line
     * ends made LF: that CR is the file's, the same on every line, and not what install changes.
     */
    private List<String> shWords(byte[] file) throws Exception {
        Path f = Files.createTempFile(tmp, "sysconfig", ".sh");
        Files.write(f, latin1(file).replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1));
        Process p = new ProcessBuilder("env", "-i", "dash", "-c",
                "set -f; . \"$1\"; for w in ${IRQBALANCE_ARGS-}; do printf '%s\\n' \"$w\"; done", "sh", f.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = latin1(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "dash sourcing " + latin1(file));
        return new ArrayList<>(out.lines().toList());
    }
}
