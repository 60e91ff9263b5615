package org.xenirqpolicy.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.engine.AdaptiveState;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.AdaptiveLimits;
import org.xenirqpolicy.read.HostReader;
import org.xenirqpolicy.read.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

// The bundle gives --sample's default (Options.Sample).
@Command(name = "adapt", mixinStandardHelpOptions = true, resourceBundle = "org.xenirqpolicy.cli.AdaptCommand",
        description = "One run of the adaptive mode (ADAPTIVE=yes in /etc/sysconfig/xen-irq-policy; run by xen-irq-policy-adaptive.timer): count interrupts over SAMPLE_SECONDS and, once the busiest CPU has stayed above ADAPTIVE_THRESHOLD times the lower bound for ADAPTIVE_SAMPLES runs, move up to ADAPTIVE_MAX_MOVES event channels not moved within ADAPTIVE_COOLDOWN_MINUTES, written and saved as apply does. Records the run in "
                + AdaptiveState.PATH + " for status. Does nothing when ADAPTIVE is not yes, but with --dry-run.")
final class AdaptCommand implements Callable<Integer>, Log.User {
    @Mixin
    Options.Root root;
    @Mixin
    Options.Sample sample;
    @Option(names = "--if-due",
            description = "Run only if ADAPTIVE_INTERVAL_MINUTES have passed since the last run started (the timer ticks every minute); otherwise exit 0 at once, silently. Silent too when ADAPTIVE is not yes.")
    boolean ifDue;
    @Option(names = "--dry-run",
            description = "Show what a run would do now (the same sample, verdict and moves), writing nothing: no affinity, plan, state or lock file. Runs with ADAPTIVE=no too, to see the mode before enabling it.")
    boolean dryRun;
    @Mixin
    Options.Output output;
    @Spec
    CommandSpec spec;
    private Log log;

    @Override
    public void use(Log log) {
        this.log = log;
    }

    @Override
    public Integer call() {
        Integer seconds = sample.checked();
        if (dryRun && ifDue) {
            throw new ParameterException(spec.commandLine(), "--dry-run and --if-due exclude each other:"
                    + " --if-due is the timer's, which never previews");
        }
        long now = Instant.now().getEpochSecond();
        Host host = root.host();
        Settings settings = HostReader.readSettings(host);
        Settings.Adaptive adaptive = settings.adaptive();
        if (dryRun) {
            if (!adaptive.enabled()) {
                log.info("the adaptive mode is off (ADAPTIVE=no in " + Settings.PATH + "); with it on, a run now would do this:");
            }
            return report(Engine.adaptDryRun(host, seconds != null ? seconds : settings.sampleSeconds(), adaptive.limits(), now),
                    adaptive.limits());
        }
        if (!adaptive.enabled()) {
            String off = "the adaptive mode is off (ADAPTIVE=no in " + Settings.PATH + "): nothing done";
            // The timer's tick (--if-due) comes every minute: a timer left enabled with the mode off
            // would put this line in the journal 1,440 times a day. A person who typed adapt is told.
            if (ifDue) {
                log.debug(off);
            } else {
                log.info(off);
            }
            return 0;
        }
        if (ifDue && !Engine.adaptiveRunDue(AdaptiveState.load(host), adaptive.intervalMinutes(), now)) {
            log.debug("not due: the last adaptive run started less than ADAPTIVE_INTERVAL_MINUTES="
                    + adaptive.intervalMinutes() + " ago");
            return 0;
        }
        host = root.hostToChange("adapt", "/proc/irq and " + Locations.RUN_DIR);
        return report(Engine.adapt(host, seconds != null ? seconds : settings.sampleSeconds(), adaptive.limits(), now),
                adaptive.limits());
    }

    private int report(Engine.Adapted adapted, AdaptiveLimits limits) {
        // The run just made is the last one, and recent: the phase is open if its memory says so.
        boolean phaseOpen = adapted.state().memory().movingPhaseOpen(limits);
        Reports.warnSkipped(adapted.applied().planned(), log);
        Reports.noteNoEventChannels(adapted.applied().planned(), log);
        ApplyReports.errors(adapted.applied(), log);
        if (adapted.stateError() != null) {
            log.error("the IRQs are placed but the adaptive state was not saved, so the next run starts without its memory: "
                    + adapted.stateError());
        }
        if (output.format == Options.Format.json) {
            log.report(Json.write(AdaptReports.json(adapted, phaseOpen)), true);
        } else {
            AdaptReports.text(adapted, phaseOpen, log);
        }
        return adapted.failed() ? Main.PARTIAL_FAILURE : 0;
    }
}
