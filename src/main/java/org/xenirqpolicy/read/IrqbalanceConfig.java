package org.xenirqpolicy.read;

import java.util.List;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;

/**
 * The CPUs irqbalance is told to keep interrupts off, from /etc/sysconfig/irqbalance:
 * IRQBALANCE_BANNED_CPULIST (a CPU list, irqbalance 1.8+) and the older IRQBALANCE_BANNED_CPUS
 * (a hex mask in comma-separated 32-bit words, as tuned writes it). We honour both, together.
 */
public final class IrqbalanceConfig {
    public static final String PATH = "/etc/sysconfig/irqbalance";

    private IrqbalanceConfig() {
    }

    public static CpuSet bannedCpus(String text, String fileName) {
        // irqbalance gets these from the environment systemd builds of the file (EnvironmentFile=),
        // so they are read as systemd reads them, not as sh would.
        List<ShellVars.Assignment> vars = EnvironmentFile.read(text).assignments();
        CpuSet banned = CpuSet.empty();
        ShellVars.Assignment list = ShellVars.last(vars, "IRQBALANCE_BANNED_CPULIST");
        if (list != null) {
            banned = banned.union(parse(list, fileName, false));
        }
        ShellVars.Assignment mask = ShellVars.last(vars, "IRQBALANCE_BANNED_CPUS");
        if (mask != null) {
            banned = banned.union(parse(mask, fileName, true));
        }
        return banned;
    }

    private static CpuSet parse(ShellVars.Assignment a, String fileName, boolean isMask) {
        try {
            return isMask ? CpuSet.parseMask(a.value()) : CpuSet.parseList(a.value());
        } catch (InputException e) {
            throw new InputException(fileName + ":" + a.line() + ": " + a.key() + ": " + e.getMessage());
        }
    }
}
