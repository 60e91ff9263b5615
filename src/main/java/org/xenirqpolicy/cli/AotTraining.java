package org.xenirqpolicy.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xenirqpolicy.read.Settings;

/**
 * The training run that records the package's AOT cache when it is built (rpm/make-runtime.sh),
 * not a command of the package: the JVM caches the classes a run loads and links, so the run
 * loads those of the commands as they are started. An apply on a dom0 tree as the service runs
 * it, whose options {@link PlainArgs} reads without picocli, then commands that picocli parses
 * (plan, status, --version), so that picocli's classes are in the cache too, and last the
 * adaptive timer's command ({@code adapt --if-due}, every minute on a host that enables it),
 * whose options PlainArgs reads too, with ADAPTIVE=yes written into the tree's settings for it:
 * a tick that is due and runs, a second run (with the first's memory), and a tick that is not
 * due, the timer's most frequent. {@code --sample 0} spares the training SAMPLE_SECONDS of
 * waiting; it is read by the same code.
 * Usage: {@code java -cp xen-irq-policy.jar org.xenirqpolicy.cli.AotTraining TREE}, TREE a copy
 * that the runs may change; exits with the first failing command's status.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        String tree = args[0];
        PrintWriter out = new PrintWriter(System.out, false);
        PrintWriter err = new PrintWriter(System.err, true);
        String[][] commands = {
            {"apply", "--root", tree},
            {"plan", "--root", tree},
            {"status", "--root", tree},
            {"--version"},
            {"adapt", "--if-due", "--sample", "0", "--root", tree},
            {"adapt", "--sample", "0", "--root", tree},
            {"adapt", "--if-due", "--root", tree},
        };
        for (String[] command : commands) {
            if (command[0].equals("adapt")) {
                Path settings = Path.of(tree, Settings.PATH.substring(1));
                Files.createDirectories(settings.getParent());
                Files.writeString(settings, "ADAPTIVE=yes\n", StandardCharsets.ISO_8859_1);
            }
            int status = Main.run(command, out, err, Console.PLAIN);
            if (status != 0) {
                System.exit(status);
            }
        }
    }
}
