package org.xenirqpolicy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.read.InterruptsTable;
import org.xenirqpolicy.read.IrqLine;
import org.xenirqpolicy.read.ProcInterrupts;

/** A simulated host as a directory tree, laid out as the kernel lays out /proc and /sys. */
public final class HostTree {
    private final Path root;

    private HostTree(Path root) {
        this.root = root;
    }

    public static HostTree at(Path root) {
        return new HostTree(root);
    }

    public Path root() {
        return root;
    }

    public Path path(String hostPath) {
        return root.resolve(hostPath.substring(1));
    }

    public HostTree write(String hostPath, String content) {
        try {
            Path file = path(hostPath);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.ISO_8859_1);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String hostPath) {
        try {
            return Files.readString(path(hostPath), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean exists(String hostPath) {
        return Files.exists(path(hostPath));
    }

    /**
     * Lays out a host from a /proc/interrupts text: the file itself, /proc/irq/N with
     * smp_affinity_list and smp_affinity (all online CPUs, the kernel's default), the CPU tree
     * (online, cpuN/topology) from the header, and, where {@code sysKernelIrq} (Linux 4.12+),
     * /sys/kernel/irq/N/{chip_name,actions} from each line.
     */
    public HostTree fromInterrupts(String procInterrupts, boolean sysKernelIrq) {
        InterruptsTable table = ProcInterrupts.parse(procInterrupts);
        CpuSet online = table.columnCpus();
        write("/proc/interrupts", procInterrupts);
        cpus(online, online);
        for (IrqLine line : table.irqs()) {
            irq(line.irq(), online);
            if (sysKernelIrq) {
                write("/sys/kernel/irq/" + line.irq() + "/chip_name", line.chip() + "\n");
                write("/sys/kernel/irq/" + line.irq() + "/actions", line.actions() + "\n");
            }
        }
        return this;
    }

    /** /proc/irq/N with both affinity files set to {@code cpus}. */
    public HostTree irq(int irq, CpuSet cpus) {
        write("/proc/irq/" + irq + "/smp_affinity_list", cpus.toList() + "\n");
        write("/proc/irq/" + irq + "/smp_affinity", mask(cpus) + "\n");
        return this;
    }

    /** The CPU tree: online, and cpuN/topology for every present CPU (irqbalance reads both). */
    public HostTree cpus(CpuSet present, CpuSet online) {
        write("/sys/devices/system/cpu/online", online.toList() + "\n");
        write("/sys/devices/system/cpu/possible", present.toList() + "\n");
        write("/sys/devices/system/cpu/present", present.toList() + "\n");
        present.stream().forEach(cpu -> {
            String dir = "/sys/devices/system/cpu/cpu" + cpu;
            write(dir + "/topology/physical_package_id", "0\n");
            write(dir + "/topology/core_id", cpu + "\n");
            write(dir + "/topology/core_siblings", mask(present) + "\n");
            write(dir + "/topology/thread_siblings", mask(CpuSet.of(cpu)) + "\n");
            if (cpu != 0) {
                write(dir + "/online", online.contains(cpu) ? "1\n" : "0\n");
            }
        });
        return this;
    }

    /** The kernel's hex mask form: 32-bit words, most significant first, comma-separated. */
    public static String mask(CpuSet cpus) {
        int top = cpus.isEmpty() ? 0 : cpus.get(cpus.size() - 1);
        int words = top / 32 + 1;
        StringBuilder out = new StringBuilder();
        for (int w = words - 1; w >= 0; w--) {
            long word = 0;
            for (int bit = 0; bit < 32; bit++) {
                if (cpus.contains(w * 32 + bit)) {
                    word |= 1L << bit;
                }
            }
            out.append(w == words - 1 ? Long.toHexString(word) : String.format("%08x", word));
            if (w > 0) {
                out.append(',');
            }
        }
        return out.toString();
    }

    /** Every file under the root with its contents: compare two of these to prove nothing was written. */
    public Map<String, String> files() {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                try {
                    files.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
