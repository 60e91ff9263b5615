package org.xenirqpolicy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;

/**
 * Writes the bash completion script, at build time: picocli generates it from the full command
 * line, every subcommand included. Usage: Completion OUTPUT_FILE
 */
public final class Completion {
    private Completion() {
    }

    public static void main(String[] args) throws IOException {
        String script = AutoComplete.bash("xen-irq-policy", Main.fullCommandLine());
        // bash-completion sources the file; a #! line would only make it look like a program.
        if (script.startsWith("#!")) {
            script = script.substring(script.indexOf('\n') + 1);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, script, StandardCharsets.UTF_8);
    }
}
