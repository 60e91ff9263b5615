package org.xenirqpolicy.read;

import java.util.ArrayList;
import java.util.List;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.Selector;

/**
 * The CPUs irqbalance is told to keep interrupts off, from /etc/sysconfig/irqbalance:
 * IRQBALANCE_BANNED_CPULIST (a CPU list, irqbalance 1.8+) and the older IRQBALANCE_BANNED_CPUS
 * (a hex mask in comma-separated 32-bit words, as tuned writes it). Each is read exactly as
 * irqbalance reads it ({@link CpuSet#parseIrqbalanceList}, {@link CpuSet#parseIrqbalanceMask}):
 * irqbalance never refuses a value, it keeps what it read before the first error, and so do we,
 * as does the hook. Where both are set irqbalance 1.9 uses the mask alone; we keep event
 * channels off the CPUs of both, so that neither setting is silently void for them.
 */
public final class IrqbalanceConfig {
    public static final String PATH = "/etc/sysconfig/irqbalance";

    private IrqbalanceConfig() {
    }

    public static CpuSet bannedCpus(String text) {
        // irqbalance gets these from the environment systemd builds of the file (EnvironmentFile=),
        // so they are read as systemd reads them, not as sh would.
        List<ShellVars.Assignment> vars = EnvironmentFile.read(text).assignments();
        CpuSet banned = CpuSet.empty();
        ShellVars.Assignment list = ShellVars.last(vars, "IRQBALANCE_BANNED_CPULIST");
        if (list != null) {
            banned = banned.union(CpuSet.parseIrqbalanceList(list.value()));
        }
        ShellVars.Assignment mask = ShellVars.last(vars, "IRQBALANCE_BANNED_CPUS");
        if (mask != null) {
            banned = banned.union(CpuSet.parseIrqbalanceMask(mask.value()));
        }
        return banned;
    }

    /**
     * The IRQs irqbalance is told to leave alone by --banirq in IRQBALANCE_ARGS, read as systemd
     * passes them (EnvironmentFile=, then $IRQBALANCE_ARGS split into words on the ExecStart=
     * line) and as irqbalance reads its command line ({@link IrqbalanceOptions}).
     */
    public static Exclusions bannedIrqs(String text) {
        ShellVars.Assignment args = ShellVars.last(EnvironmentFile.read(text).assignments(), "IRQBALANCE_ARGS");
        if (args == null) {
            return Exclusions.NONE;
        }
        List<Selector> irqs = new ArrayList<>();
        for (int irq : IrqbalanceOptions.bannedIrqs(EnvironmentFile.execWords(args.value()))) {
            irqs.add(new Selector.Irq(irq));
        }
        return new Exclusions(irqs);
    }
}
