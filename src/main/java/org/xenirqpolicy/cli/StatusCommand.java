package org.xenirqpolicy.cli;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.engine.Status;
import org.xenirqpolicy.engine.Watch;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Selector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

// The bundle gives --sample's default (Options.Sample).
@Command(name = "status", mixinStandardHelpOptions = true, resourceBundle = "org.xenirqpolicy.cli.StatusCommand",
        description = "Show, per CPU, the Xen event-channel IRQs on it and their interrupts, the imbalance, the IRQs that are not where the plan puts them, and the last adaptive run.")
final class StatusCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Output output;
    @Mixin
    Options.Sample sample;
    @Option(names = "--watch", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "" + DEFAULT_WATCH_SECONDS,
            description = "Refresh the per-CPU view with interrupts per second (per CPU and per IRQ) every SECONDS (1 to 600; default "
                    + DEFAULT_WATCH_SECONDS + ") until interrupted: exit status 130 on Ctrl-C. Text only; IRQ arguments go before it.")
    Integer watchSeconds;
    @Parameters(paramLabel = "IRQ", arity = "0..*", description = "Show only these IRQs: numbers, dom:N (a guest's netback channels) or globs on names, as in EXCLUDE=.")
    List<String> only = List.of();
    private Log log;

    static final int DEFAULT_WATCH_SECONDS = 2;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        List<Selector> selectors = Options.irqSelectors(only);
        if (watchSeconds != null) {
            checkWatch();
            // The first read is the first refresh's baseline; an argument that matches none of
            // its event channels is said once, before that refresh.
            Watch watch = Watch.start(root.host());
            Reports.noteNoEventChannels(watch.first(), log);
            Reports.shown(selectors, watch.first(), log);
            WatchReports.run(root.host(), watch, watchSeconds, selectors, log);
            return 0; // Not reached: a watch ends with the JVM, at Ctrl-C.
        }
        Status status = Status.read(root.host(), sampleSecondsOrZero());
        AdaptiveState adaptive = AdaptiveState.load(root.host());
        Optional<AdaptiveState.Run> lastAdaptive = adaptive.last();
        boolean phaseOpen = Engine.movingPhaseOpen(adaptive, status.planned().snapshot().settings(),
                Instant.now().getEpochSecond());
        Reports.warnSkipped(status.planned(), log);
        Reports.noteNoEventChannels(status.planned(), log);
        IntPredicate irqs = Reports.shown(selectors, status.planned(), log);
        boolean json = output.format == Options.Format.json;
        log.report(json ? Json.write(Reports.statusJson(status, irqs, lastAdaptive, phaseOpen))
                : Reports.statusText(status, irqs, lastAdaptive, phaseOpen), json);
        return 0;
    }

    private void checkWatch() {
        if (watchSeconds < 1 || watchSeconds > 600) {
            throw new InputException("--watch: " + watchSeconds + " is not from 1 to 600 seconds");
        }
        if (output.format == Options.Format.json) {
            throw new InputException("--watch shows text only, not --format json");
        }
        if (sampleSecondsOrZero() != 0) {
            throw new InputException("--watch and --sample exclude each other: the rates are over the --watch interval");
        }
    }

    /** Status counts since boot unless --sample is given. */
    private int sampleSecondsOrZero() {
        Integer seconds = sample.checked();
        return seconds == null ? 0 : seconds;
    }
}
