package org.xenirqpolicy.cli;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.xenirqpolicy.check.LastApply;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = "Write each planned CPU to /proc/irq/IRQ/smp_affinity_list where it differs, read it back, and save the plan in /run/xen-irq-policy/plan for the irqbalance hook.")
final class ApplyCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Planning planning;
    @Option(names = "--dry-run", description = "Show what would change; write nothing.")
    boolean dryRun;
    @Mixin
    Options.Output output;
    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;
    @Option(names = {"-v", "--verbose"}, description = "Also print each IRQ moved (debug priority in the journal).")
    boolean verbose;
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        long started = System.nanoTime();
        if (quiet && verbose) {
            throw new InputException("--quiet and --verbose exclude each other");
        }
        Log log = this.log.with(quiet ? Log.Verbosity.QUIET : verbose ? Log.Verbosity.VERBOSE : Log.Verbosity.NORMAL);
        Host host = dryRun ? root.host() : root.hostToChange("apply", "/proc/irq and " + Locations.RUN_DIR);
        int status;
        boolean changed;
        try {
            Engine.Applied applied = Engine.apply(host, planning.engineOptions(), dryRun);
            Reports.warnSkipped(applied.planned(), log);
            Reports.noteNoEventChannels(applied.planned(), log);
            if (output.format == Options.Format.json) {
                ApplyReports.errors(applied, log);
                log.report(Json.write(ApplyReports.json(applied)), true);
            } else {
                ApplyReports.text(applied, log);
            }
            status = applied.failed() ? Main.PARTIAL_FAILURE : 0;
            changed = applied.planWritten() || applied.tally().changed() > 0;
        } catch (InputException | UncheckedIOException e) {
            // Refused before anything was written, and so is the record: check's plan check
            // meets the same bad input and says so.
            throw e;
        } catch (RuntimeException e) {
            // An internal error, after which the IRQs may be half placed: exit status 1.
            record(host, Main.PARTIAL_FAILURE, true, started, log);
            throw e;
        }
        record(host, status, changed, started, log);
        return status;
    }

    /**
     * Leaves the record check and metrics read (not for a dry run), with the time the command took
     * since {@code started} (System.nanoTime). Failing that does not change the exit status, as the
     * IRQs are placed; an older record is then removed, so that check does not report an earlier
     * run's verdict as this one's.
     */
    private void record(Host host, int status, boolean changed, long started, Log log) {
        if (dryRun) {
            return;
        }
        try {
            // A verdict already recorded stays as it is after an apply that changed nothing, so
            // that such an apply writes nothing: the record is then that of the last apply that
            // changed something or ended otherwise.
            if (!changed && host.read(LastApply.PATH).flatMap(LastApply::parse).filter(last -> last.exitStatus() == status).isPresent()) {
                return;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            host.writeAtomically(LastApply.PATH, new LastApply(status, Instant.now(), Optional.of(took)).format()
                    .getBytes(StandardCharsets.ISO_8859_1), "rw-r--r--");
        } catch (RuntimeException e) {
            try {
                host.delete(LastApply.PATH);
            } catch (RuntimeException gone) {
                // Read-only: check then reads the older record; the error below says why.
            }
            if (status == 0) {
                // A failed apply has already named the cause (a full or read-only /run), which is
                // also this one's: one line on stderr, not two.
                log.warning("warning: cannot record this apply for 'xen-irq-policy check': " + e.getMessage());
            }
        }
    }
}
