package org.xenirqpolicy.cli;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.xenirqpolicy.check.Metrics;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.read.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = "Print the event channels' interrupts per CPU and per IRQ, the imbalance, the misplaced event channels, the plan's age, the verdicts of check and the last apply's result and duration, in the Prometheus text format; or write them for node_exporter's textfile collector.")
final class MetricsCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    @Option(names = "--textfile", paramLabel = "DIR", arity = "0..1", fallbackValue = "",
            description = "Write DIR/" + Metrics.TEXTFILE + " atomically instead of printing, for node_exporter's textfile collector."
                    + " Default DIR: METRICS_DIR in /etc/sysconfig/xen-irq-policy, else " + Settings.DEFAULT_METRICS_DIR + ".")
    String textfile;
    @Option(names = "--remove",
            description = "With --textfile: remove DIR/" + Metrics.TEXTFILE + " instead of writing it, so that node_exporter stops serving its last values (the package does on erase).")
    boolean remove;
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() throws IOException {
        if (textfile != null && !textfile.isEmpty() && !textfile.startsWith("/")) {
            throw new InputException("--textfile: " + Quote.of(textfile) + " is not an absolute directory");
        }
        Host host = root.host();
        if (remove) {
            if (textfile == null) {
                throw new InputException("--remove needs --textfile: it removes the file that --textfile writes");
            }
            Metrics.removeTextfile(host, textfile.isEmpty() ? Metrics.metricsDir(host) : textfile);
            return 0;
        }
        Metrics metrics = Metrics.read(host, Instant.now());
        Settings settings = metrics.status().planned().snapshot().settings();
        String text = MetricsReports.text(metrics, Main.Version.number(), settings.metricsIrqSeriesMax());
        if (textfile == null) {
            log.report(text, true);
            return 0;
        }
        // Silent when written: the timer runs it every minute, and the journal needs no line for that.
        Metrics.writeTextfile(host, textfile.isEmpty() ? settings.metricsDir() : textfile, text);
        return 0;
    }
}
