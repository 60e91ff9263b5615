package org.xenirqpolicy.check;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Status;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.read.HostReader;
import org.xenirqpolicy.read.Settings;

/**
 * What {@code xen-irq-policy metrics} reports, read from the host at one moment: the status
 * (counts since boot, as Prometheus counters need), the verdicts of check, the last apply's
 * record and when the applied plan was written. Bad input (a settings typo, an unreadable
 * /proc/interrupts) propagates: the command then writes no metrics and exits 2.
 *
 * @param now         when the host was read
 * @param status      where the event channels are, against the applied plan if any
 * @param checks      the verdicts of check, in its order
 * @param lastApply   the record of the last apply, if there is one and it reads as one
 * @param planWritten when the applied plan was last written, if there is one this version trusts
 * @param lastAdaptive the last adaptive run's record, if one is trusted (see {@link AdaptiveState})
 */
public record Metrics(Instant now, Status status, List<Check> checks, Optional<LastApply> lastApply,
        Optional<Instant> planWritten, Optional<AdaptiveState.Run> lastAdaptive) {
    /** The file node_exporter's textfile collector reads: it takes every {@code *.prom} of its directory. */
    public static final String TEXTFILE = "xen_irq_policy.prom";

    public static Metrics read(Host host, Instant now) {
        Status status = Status.read(host, 0);
        Checks.Inputs inputs = Checks.read(host, now, status);
        Optional<Instant> planWritten = status.planned().previous().isPresent() ? PlanStore.saved(host) : Optional.empty();
        return new Metrics(now, status, Checks.verdicts(inputs), inputs.lastApply().flatMap(LastApply::parse), planWritten,
                AdaptiveState.load(host).last());
    }

    /**
     * Replaces {@code dir}/{@value #TEXTFILE} whole (a temporary file in {@code dir}, renamed over
     * it), so that node_exporter never reads half of it; its temporary name does not end in
     * {@code .prom}, so the collector never reads that either. The directory must exist: it is
     * node_exporter's, not ours to make.
     *
     * @return the host path written
     */
    public static String writeTextfile(Host host, String dir, String text) {
        if (!host.isDirectory(dir)) {
            throw new InputException(Quote.line(dir + " is not a directory: is node_exporter installed? (METRICS_DIR in "
                    + Settings.PATH + ")"));
        }
        String path = textfile(dir);
        host.writeAtomically(path, text.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        return path;
    }

    /**
     * Removes {@code dir}/{@value #TEXTFILE} if it is there, so that node_exporter stops serving
     * the last values written (the package's %preun does, on erase); nothing else is read.
     */
    public static void removeTextfile(Host host, String dir) {
        host.delete(textfile(dir));
    }

    /** METRICS_DIR, as the settings file says (its other settings checked too: a typo is an error). */
    public static String metricsDir(Host host) {
        return HostReader.readSettings(host).metricsDir();
    }

    private static String textfile(String dir) {
        return (dir.equals("/") ? "" : dir) + "/" + TEXTFILE;
    }
}
