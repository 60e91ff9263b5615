package org.xenirqpolicy.setup;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.read.IrqbalanceConfig;

/**
 * Sets irqbalance up to run the hook, and takes that back: what the RPM's %post and %preun do
 * to files, kept here where it is tested. Every change is recorded in {@link InstallState#PATH}
 * first read by uninstall; files are replaced atomically with their permissions and owner kept.
 */
public final class Installer {
    /** The name of our link in a policy directory. */
    public static final String LINK_NAME = "xen-irq-policy";
    /** What install and uninstall write, as a refusal to run them without root names it. */
    public static final String WRITES = IrqbalanceConfig.PATH + ", " + InstallState.PATH + " and " + HookOptOut.PATH;
    /** What uninstall says of the opt-out it records. */
    static final String OPTED_OUT = ": recorded that irqbalance runs without the hook by choice"
            + " ('xen-irq-policy install' puts it back)";

    private Installer() {
    }

    /** What was done, line by line for the user; {@code refused} if nothing could be done. */
    public record Report(List<String> lines, boolean refused) {
    }

    public static Report install(Host host) {
        String sysconfig = IrqbalanceConfig.PATH;
        // A link is edited at its target; a masked file (a link to /dev/null), a dangling link
        // and anything else that is not a regular file are refused before anything is written.
        String edited = host.replaceableTarget(sysconfig);
        String shown = edited.equals(sysconfig) ? sysconfig : sysconfig + " (a link to " + Quote.line(edited) + ")";
        String text = host.read(sysconfig).orElse(null);
        Optional<InstallState> previous = host.read(InstallState.PATH).flatMap(InstallState::parse);
        IrqbalanceArgs.Decision decision = IrqbalanceArgs.redoingAMisreadEdit(text, IrqbalanceArgs.install(text),
                previous.flatMap(InstallState::edit));
        refuseWhatSystemdWouldReadOtherwise(sysconfig, text, decision);
        List<String> lines = new ArrayList<>();
        switch (decision) {
            case IrqbalanceArgs.Decision.AlreadySet a -> lines.add(shown + ": irqbalance already runs " + IrqbalanceArgs.HOOK);
            case IrqbalanceArgs.Decision.Write w -> {
                // The state first: a crash between the two leaves an undo for an edit not made,
                // which uninstall skips, never an edit without its undo.
                changeWithState(host, new InstallState(Optional.of(w.edit()), previous.flatMap(InstallState::policyLink)),
                        () -> host.writeAtomically(sysconfig, w.text().getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--"));
                lines.add(shown + ": " + (w.edit().createdFile()
                        ? "created, with " + IrqbalanceArgs.OUR_ARG + " in " + IrqbalanceArgs.VARIABLE
                        : w.replacedSeed()
                        ? "replaced the seed script " + IrqbalanceArgs.SEED_SCRIPT + " by " + IrqbalanceArgs.HOOK
                                + " in " + IrqbalanceArgs.VARIABLE
                        : "added " + IrqbalanceArgs.OUR_ARG + " to " + IrqbalanceArgs.VARIABLE));
            }
            case IrqbalanceArgs.Decision.OtherPolicy other -> {
                if (other.path().indexOf('\0') >= 0) {
                    throw new InputException(sysconfig + ": " + IrqbalanceArgs.VARIABLE + " names the policy script "
                            + Quote.of(other.path()) + ", which holds a NUL byte; left unchanged");
                }
                if (!other.path().startsWith("/") || !isDirectory(host, other.path(), sysconfig)) {
                    return new Report(List.of(sysconfig + ": irqbalance already runs the policy script " + Quote.line(other.path())
                            + "; left unchanged. To run both, put both in one directory, set --policyscript to it and"
                            + " run 'xen-irq-policy install' again"), true);
                }
                String link = other.path().replaceAll("/+$", "") + "/" + LINK_NAME;
                Optional<String> target = host.linkTarget(link);
                if (target.isEmpty() ? host.exists(link) : !IrqbalanceArgs.linksToHook(host, link)) {
                    // Another file, or a link to something else than the hook: the admin's, kept.
                    throw new InputException(Quote.line(link) + " exists and is not our link; left unchanged");
                }
                if (target.isEmpty()) {
                    changeWithState(host, new InstallState(previous.flatMap(InstallState::edit), Optional.of(link)),
                            () -> host.symlink(link, IrqbalanceArgs.HOOK));
                    lines.add(Quote.line(other.path()) + ": added the link " + LINK_NAME + " -> " + IrqbalanceArgs.HOOK
                            + " to irqbalance's policy directory");
                } else {
                    lines.add(Quote.line(other.path()) + ": irqbalance's policy directory already holds " + Quote.line(link));
                }
            }
        }
        // The admin opts back in: the hook is wired again, and check judges it again.
        if (HookOptOut.remove(host)) {
            lines.add(HookOptOut.PATH + ": removed (the hook is no longer opted out)");
        }
        return new Report(lines, false);
    }

    /**
     * Undoes what install recorded, then records the opt-out ({@link HookOptOut}) made at
     * {@code now}, also when there was nothing to undo: irqbalance is meant to run without the
     * hook from now on, and check must tell that from a hook missing by accident.
     */
    public static Report uninstall(Host host, Instant now) {
        List<String> lines = undo(host);
        HookOptOut.record(host, now);
        lines.add(HookOptOut.PATH + OPTED_OUT);
        return new Report(lines, false);
    }

    private static List<String> undo(Host host) {
        Optional<InstallState> state = host.read(InstallState.PATH).flatMap(InstallState::parse);
        List<String> lines = new ArrayList<>();
        if (state.isEmpty()) {
            lines.add("nothing to undo: " + InstallState.PATH + " records no change");
            return lines;
        }
        String sysconfig = IrqbalanceConfig.PATH;
        state.get().edit().ifPresent(edit -> {
            String target;
            try {
                target = host.replaceableTarget(sysconfig);
            } catch (InputException e) {
                // Masked or replaced by something we must not write since install: the package
                // is going away all the same, so say so and undo the rest.
                lines.add(e.getMessage());
                return;
            }
            boolean link = !target.equals(sysconfig);
            String shown = link ? sysconfig + " (a link to " + Quote.line(target) + ")" : sysconfig;
            host.read(sysconfig).ifPresent(text -> {
                String restored = IrqbalanceArgs.uninstall(text, edit);
                if (restored == null && !link) {
                    host.delete(sysconfig);
                    lines.add(sysconfig + ": removed (created by install, unchanged since)");
                    return;
                }
                if (restored == null) {
                    // Uninstall never turns a link into a file, nor removes one: the file we
                    // created became a link since, so only our argument comes out of its target.
                    restored = IrqbalanceArgs.withoutOurArgument(text);
                }
                if (!restored.equals(text)) {
                    host.writeAtomically(sysconfig, restored.getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
                    lines.add(shown + ": took " + IrqbalanceArgs.OUR_ARG + " out of " + IrqbalanceArgs.VARIABLE);
                }
            });
        });
        state.get().policyLink().ifPresent(link -> {
            if (host.linkTarget(link).filter(IrqbalanceArgs.HOOK::equals).isPresent()) {
                host.delete(link);
                lines.add(link + ": removed");
            }
        });
        host.delete(InstallState.PATH);
        return lines;
    }

    /**
     * Whether a policy path from the sysconfig file is a directory. A path Java cannot use (a NUL
     * byte) is bad input in that file, not an internal error.
     */
    private static boolean isDirectory(Host host, String path, String file) {
        try {
            return host.isDirectory(path);
        } catch (InvalidPathException e) {
            throw new InputException(file + ": the policy path '" + Quote.line(path) + "' in " + IrqbalanceArgs.VARIABLE
                    + " is not a usable path (" + Quote.line(e.getReason()) + "); left unchanged");
        }
    }

    /**
     * irqbalance gets its arguments from systemd (EnvironmentFile=, then $IRQBALANCE_ARGS split
     * into words), not from sh: the file as it will be must make systemd pass the hook, and pass
     * the same words sh reads, or nothing is written.
     */
    private static void refuseWhatSystemdWouldReadOtherwise(String sysconfig, String text, IrqbalanceArgs.Decision decision) {
        String result = switch (decision) {
            case IrqbalanceArgs.Decision.Write w -> w.text();
            case IrqbalanceArgs.Decision.AlreadySet a -> text;
            case IrqbalanceArgs.Decision.OtherPolicy o -> null;
        };
        if (result != null) {
            IrqbalanceArgs.problemAsSystemdReads(result).ifPresent(problem -> {
                throw new InputException(sysconfig + problem + "; left unchanged");
            });
        }
    }

    /**
     * Records the undo, then makes the change. A change that fails takes its record back, so
     * that a failed install (exit status 2, "nothing was written") leaves the state file as it
     * was; if even that fails, the record names an edit not made, which uninstall skips.
     */
    private static void changeWithState(Host host, InstallState state, Runnable change) {
        Optional<String> before = host.read(InstallState.PATH);
        saveState(host, state.format());
        try {
            change.run();
        } catch (RuntimeException e) {
            try {
                if (before.isPresent()) {
                    saveState(host, before.get());
                } else {
                    host.delete(InstallState.PATH);
                }
            } catch (RuntimeException notUndone) {
                e.addSuppressed(notUndone);
            }
            throw e;
        }
    }

    private static void saveState(Host host, String state) {
        host.writeAtomically(InstallState.PATH, state.getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
    }
}
