package org.xenirqpolicy.read;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.host.Parallel;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.Exclusions;
import org.xenirqpolicy.model.InputException;

/** Reads /proc and /sys and our configuration files into a {@link HostSnapshot}. */
public final class HostReader {
    public static final String PROC_INTERRUPTS = "/proc/interrupts";
    static final String CPU_DIR = "/sys/devices/system/cpu";
    static final String PCI_DEVICES = "/sys/bus/pci/devices";

    private HostReader() {
    }

    /**
     * Which IRQs to read in detail, and how much of them.
     *
     * @param chipOfInterest IRQs whose chip passes get their name and affinity read; the others
     *                       are known by their /proc/interrupts line and chip only
     * @param effective      whether to read effective_affinity_list too (only shown, never planned on)
     */
    public record Want(Predicate<String> chipOfInterest, boolean effective) {
    }

    /**
     * Reads the host; the per-IRQ files in parallel.
     */
    public static HostSnapshot read(Host host, Want want) {
        InterruptsTable interrupts = readInterrupts(host);
        List<IrqLine> lines = interrupts.irqs();
        boolean namesFromLines = interrupts.inKernelOrder();
        List<IrqState> irqs = want.effective() ? withEffective(host, want, lines, namesFromLines)
                // One pass (apply): each IRQ's chip, then, for one of interest, the rest of its files.
                : Parallel.map(lines.size(), i -> state(host, want, lines.get(i), chip(host, want, lines.get(i)), false,
                        namesFromLines));
        return snapshot(host, interrupts, irqs);
    }

    /**
     * The host without any IRQ's own files: /proc/interrupts, the CPU files, irqbalance's
     * settings, the PCI devices' IRQs and ours, checked as {@link #read} checks them; each IRQ is
     * known by its /proc/interrupts line only (chip token and action names, not detailed). An
     * adaptive run that finds the plan in force covering every event channel needs no more, and
     * spares the 3 opens per IRQ of a full read (see engine/Engine.adapt); it reads the few IRQs
     * it must with {@link #readIrq}.
     */
    public static HostSnapshot readWithoutIrqFiles(Host host) {
        InterruptsTable interrupts = readInterrupts(host);
        List<IrqState> irqs = interrupts.irqs().stream()
                .map(line -> new IrqState(line, line.chip(), line.actions(), CpuSet.empty(), CpuSet.empty(), false))
                .toList();
        return snapshot(host, interrupts, irqs);
    }

    /** The snapshot of these IRQs with the rest of the host: CPU files, irqbalance's settings, PCI IRQs, ours. */
    private static HostSnapshot snapshot(Host host, InterruptsTable interrupts, List<IrqState> irqs) {
        CpuSet online = host.read(CPU_DIR + "/online")
                .map(text -> cpuList(text, CPU_DIR + "/online"))
                .orElseGet(interrupts::columnCpus);
        CpuSet isolated = host.read(CPU_DIR + "/isolated")
                .map(text -> cpuList(text, CPU_DIR + "/isolated"))
                .orElse(CpuSet.empty());
        CpuSet nohzFull = host.read(CPU_DIR + "/nohz_full")
                .filter(text -> !text.strip().equals("(null)"))
                .map(text -> cpuList(text, CPU_DIR + "/nohz_full"))
                .orElse(CpuSet.empty());
        Optional<String> irqbalance = host.read(IrqbalanceConfig.PATH);
        CpuSet banned = irqbalance.map(IrqbalanceConfig::bannedCpus).orElse(CpuSet.empty());
        Exclusions bannedIrqs = irqbalance.map(IrqbalanceConfig::bannedIrqs).orElse(Exclusions.NONE);
        return new HostSnapshot(interrupts, irqs, online, isolated, nohzFull, pciIrqs(host), banned, readSettings(host),
                bannedIrqs);
    }

    /**
     * One IRQ as {@link #read} reads an IRQ of interest, whatever its chip: chip_name, actions and
     * smp_affinity_list (not the effective affinity, which only plan and status show). Its name
     * always from sysfs, never the line's: this read is what checks the line.
     */
    public static IrqState readIrq(Host host, IrqLine line) {
        return detailed(host, line, chipName(host, line), false, false);
    }

    /**
     * The IRQs with their effective affinities (plan, status): every chip first, as the kernel
     * has effective_affinity_list for every IRQ (4.13+) or for none, and asking once, of the
     * first IRQ of interest, spares thousands of failed opens on older kernels and in trees
     * without it.
     */
    private static List<IrqState> withEffective(Host host, Want want, List<IrqLine> lines, boolean namesFromLines) {
        List<String> chips = Parallel.map(lines.size(), i -> chip(host, want, lines.get(i)));
        int firstDetailed = 0;
        while (firstDetailed < lines.size() && !want.chipOfInterest().test(chips.get(firstDetailed))) {
            firstDetailed++;
        }
        boolean effective = firstDetailed < lines.size()
                && host.exists(IrqFiles.effectiveAffinity(lines.get(firstDetailed).irq()));
        return Parallel.map(lines.size(), i -> state(host, want, lines.get(i), chips.get(i), effective, namesFromLines));
    }

    private static IrqState state(Host host, Want want, IrqLine line, String chip, boolean readEffective,
            boolean namesFromLines) {
        return want.chipOfInterest().test(chip) ? detailed(host, line, chip, readEffective, namesFromLines)
                : new IrqState(line, chip, line.actions(), CpuSet.empty(), CpuSet.empty(), false);
    }

    /** /etc/sysconfig/xen-irq-policy, every setting checked (a typo is an error); the defaults without it. */
    public static Settings readSettings(Host host) {
        return host.read(Settings.PATH).map(text -> Settings.parse(text, Settings.PATH)).orElse(Settings.defaults());
    }

    public static InterruptsTable readInterrupts(Host host) {
        return ProcInterrupts.parse(host.readRequired(PROC_INTERRUPTS));
    }

    /**
     * The chip: a token of interest confirmed by chip_name where the kernel has it (4.12+), any
     * other token as it is. The kernel prints the same {@code irq_chip->name} in both places
     * (show_interrupts, chip_name_show), unless the chip prints itself (irq_print_chip, which
     * none of Xen's chips has), so a Xen chip never hides behind another token. But a token of
     * interest can mislead, and placing an IRQ that is not an event channel fails (xen-pirq:
     * EPERM, xen-percpu: EIO): a line forged by an action name with a newline in it, or an IRQ
     * number freed and requested again between the two reads. chip_name is the authority there.
     * Other IRQs' chip_name (a dom0's per-CPU timers and IPIs, its devices) is not opened at all.
     */
    private static String chip(Host host, Want want, IrqLine line) {
        if (!want.chipOfInterest().test(line.chip())) {
            return line.chip();
        }
        return chipName(host, line);
    }

    /** chip_name where the kernel has it (4.12+), else the line's token. */
    private static String chipName(Host host, IrqLine line) {
        return host.readIfReadable("/sys/kernel/irq/" + line.irq() + "/chip_name").map(ShellRead::firstLine).orElse(line.chip());
    }

    private static IrqState detailed(Host host, IrqLine line, String chip, boolean readEffective, boolean namesFromLines) {
        // Byte for byte what the hook reads, so that the name it finds in the plan matches: the
        // line's name where it cannot differ from sysfs (IrqLine.actionsExact, in a table as
        // the kernel prints it), else sysfs' actions, else (kernels before 4.12) the line's.
        String name = namesFromLines && line.actionsExact() ? line.actions()
                : host.readIfReadable("/sys/kernel/irq/" + line.irq() + "/actions").map(ShellRead::firstLine)
                        .orElse(line.actions());
        CpuSet affinity = host.readIfReadable(IrqFiles.affinity(line.irq())).map(HostReader::cpuListOrEmpty)
                .orElse(CpuSet.empty());
        CpuSet effective = !readEffective ? CpuSet.empty()
                : host.readIfReadable(IrqFiles.effectiveAffinity(line.irq())).map(HostReader::cpuListOrEmpty).orElse(CpuSet.empty());
        return new IrqState(line, chip, name, affinity, effective, true);
    }

    /** An entry of a device's msi_irqs: an IRQ number. Compiled once: a host may have hundreds of devices. */
    private static final Pattern MSI_IRQ = Pattern.compile("[0-9]{1,9}");
    /** A device's legacy irq file: its IRQ, 0 for none. */
    private static final Pattern LEGACY_IRQ = Pattern.compile("[1-9][0-9]{0,8}");

    /** IRQs that belong to PCI devices: the entries of each device's msi_irqs and its legacy irq. */
    private static Set<Integer> pciIrqs(Host host) {
        Set<Integer> irqs = new HashSet<>();
        for (String device : host.list(PCI_DEVICES)) {
            String dir = PCI_DEVICES + "/" + device;
            for (String entry : host.list(dir + "/msi_irqs")) {
                if (MSI_IRQ.matcher(entry).matches()) {
                    irqs.add(Integer.parseInt(entry));
                }
            }
            host.read(dir + "/irq").map(String::strip).filter(s -> LEGACY_IRQ.matcher(s).matches())
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

    /** A garbled affinity file is not worth failing over: the IRQ is simply placed anew. */
    private static CpuSet cpuListOrEmpty(String text) {
        try {
            return CpuSet.parseList(text);
        } catch (InputException e) {
            return CpuSet.empty();
        }
    }
}
