package org.xenirqpolicy.read;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;

/** Reads /proc and /sys and our configuration files into a {@link HostSnapshot}. */
public final class HostReader {
    public static final String PROC_INTERRUPTS = "/proc/interrupts";
    static final String CPU_DIR = "/sys/devices/system/cpu";
    static final String PCI_DEVICES = "/sys/bus/pci/devices";

    private HostReader() {
    }

    /**
     * Reads the host. {@code chipOfInterest} says which IRQs get their affinity and name read;
     * the others are known by their /proc/interrupts line and chip only.
     */
    public static HostSnapshot read(Host host, Predicate<String> chipOfInterest) {
        InterruptsTable interrupts = readInterrupts(host);
        List<IrqState> irqs = new ArrayList<>(interrupts.irqs().size());
        Boolean hasEffective = null;
        for (IrqLine line : interrupts.irqs()) {
            IrqState state = irqState(host, line, chipOfInterest, hasEffective != Boolean.FALSE);
            if (hasEffective == null && state.detailed()) {
                // The kernel has effective_affinity_list for every IRQ (4.13+) or for none: asking
                // once spares thousands of failed opens on older kernels and in trees without it.
                hasEffective = host.exists("/proc/irq/" + line.irq() + "/effective_affinity_list");
            }
            irqs.add(state);
        }
        CpuSet online = host.read(CPU_DIR + "/online")
                .map(text -> cpuList(text, CPU_DIR + "/online"))
                .orElseGet(interrupts::columnCpus);
        CpuSet isolated = host.read(CPU_DIR + "/isolated")
                .map(text -> cpuList(text, CPU_DIR + "/isolated"))
                .orElse(CpuSet.empty());
        CpuSet banned = host.read(IrqbalanceConfig.PATH)
                .map(text -> IrqbalanceConfig.bannedCpus(text, IrqbalanceConfig.PATH))
                .orElse(CpuSet.empty());
        Settings settings = host.read(Settings.PATH)
                .map(text -> Settings.parse(text, Settings.PATH))
                .orElse(Settings.defaults());
        return new HostSnapshot(interrupts, List.copyOf(irqs), online, isolated, pciIrqs(host), banned, settings);
    }

    public static InterruptsTable readInterrupts(Host host) {
        return ProcInterrupts.parse(host.readRequired(PROC_INTERRUPTS));
    }

    private static IrqState irqState(Host host, IrqLine line, Predicate<String> chipOfInterest, boolean readEffective) {
        String sysDir = "/sys/kernel/irq/" + line.irq();
        String chip = readOrEmpty(host, sysDir + "/chip_name").map(String::strip).orElse(line.chip());
        if (!chipOfInterest.test(chip)) {
            return new IrqState(line, chip, line.actions(), CpuSet.empty(), CpuSet.empty(), false);
        }
        String procDir = "/proc/irq/" + line.irq();
        String name = readOrEmpty(host, sysDir + "/actions").map(String::strip).orElse(line.actions());
        CpuSet affinity = readOrEmpty(host, procDir + "/smp_affinity_list").map(HostReader::cpuListOrEmpty)
                .orElse(CpuSet.empty());
        CpuSet effective = !readEffective ? CpuSet.empty()
                : readOrEmpty(host, procDir + "/effective_affinity_list").map(HostReader::cpuListOrEmpty).orElse(CpuSet.empty());
        return new IrqState(line, chip, name, affinity, effective, true);
    }

    /** IRQs that belong to PCI devices: the entries of each device's msi_irqs and its legacy irq. */
    private static Set<Integer> pciIrqs(Host host) {
        Set<Integer> irqs = new HashSet<>();
        for (String device : host.list(PCI_DEVICES)) {
            String dir = PCI_DEVICES + "/" + device;
            for (String entry : host.list(dir + "/msi_irqs")) {
                if (entry.matches("[0-9]{1,9}")) {
                    irqs.add(Integer.parseInt(entry));
                }
            }
            host.read(dir + "/irq").map(String::strip).filter(s -> s.matches("[1-9][0-9]{0,8}"))
                    .ifPresent(s -> irqs.add(Integer.parseInt(s)));
        }
        return irqs;
    }

    private static CpuSet cpuList(String text, String file) {
        try {
            return CpuSet.parseList(text);
        } catch (InputException e) {
            throw new InputException(file + ": " + e.getMessage());
        }
    }

    /**
     * One IRQ's attribute: an IRQ file that cannot be read (EIO, a race with the IRQ going away)
     * makes that attribute unknown, not the whole host unreadable.
     */
    private static java.util.Optional<String> readOrEmpty(Host host, String path) {
        try {
            return host.read(path);
        } catch (InputException e) {
            return java.util.Optional.empty();
        }
    }

    /** A garbled affinity file is not worth failing over: the IRQ is simply placed anew. */
    private static CpuSet cpuListOrEmpty(String text) {
        try {
            return CpuSet.parseList(text);
        } catch (InputException e) {
            return CpuSet.empty();
        }
    }
}
