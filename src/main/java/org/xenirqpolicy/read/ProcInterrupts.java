package org.xenirqpolicy.read;

import java.util.ArrayList;
import java.util.List;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;

/**
 * Parses /proc/interrupts in every layout met on Xen hosts:
 * <pre>
 *            CPU0       CPU2       CPU3
 * 272:     642971     803006   xen-dyn-event     eth1                  (2.6 to 3.x: chip-handler glued)
 * 241:        258     158517   xen-dyn    -event     vif26.0-q0-tx     (4.x: handler apart)
 *  67:          1          0   xen-dyn-lateeoi    -event     vif1.0-q0-tx (5.10+ backends)
 *  24:      13571          0   xen-percpu    -virq      timer0
 *  25:          0          0   IR-PCI-MSI 524288-edge      nvme0q0     (hwirq and handler)
 *  26:          0          0   PCI-MSI 2097152-edge      PCIe PME, aerdrv (several actions)
 * NMI:          0          0   Non-maskable interrupts               (arch summary rows)
 * ERR:          0
 * </pre>
 * The header names the columns; a kernel prints only online CPUs, so column i is the CPU of the
 * i-th header token, never CPU i. A line that fits none of this is skipped and counted.
 */
public final class ProcInterrupts {
    private ProcInterrupts() {
    }

    public static InterruptsTable parse(String text) {
        String[] lines = text.split("\n", -1);
        int headerIndex = 0;
        while (headerIndex < lines.length && lines[headerIndex].isBlank()) {
            headerIndex++;
        }
        if (headerIndex == lines.length) {
            throw new InputException("/proc/interrupts is empty");
        }
        int[] cpuOfColumn = parseHeader(lines[headerIndex], headerIndex + 1);
        List<IrqLine> irqs = new ArrayList<>();
        int skipped = 0;
        int firstSkipped = 0;
        for (int i = headerIndex + 1; i < lines.length; i++) {
            // As the hook's shell reads it: without NUL bytes (see ShellRead).
            String line = lines[i].replace("\0", "");
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            String label = colon < 0 ? "" : line.substring(0, colon).strip();
            IrqLine irq = null;
            boolean summary = false;
            if (isIrqNumber(label)) {
                irq = parseIrqLine(Integer.parseInt(label), line, colon + 1, cpuOfColumn.length);
            } else if (isSummaryLabel(label)) {
                summary = firstTokenIsCount(line, colon + 1);
            }
            if (irq != null) {
                irqs.add(irq);
            } else if (!summary) {
                // Summary rows (NMI, LOC, ERR ...) are known lines, not skipped ones; no stage uses them.
                skipped++;
                if (firstSkipped == 0) {
                    firstSkipped = i + 1;
                }
            }
        }
        return new InterruptsTable(cpuOfColumn, List.copyOf(irqs), skipped, firstSkipped);
    }

    private static int[] parseHeader(String header, int lineNumber) {
        String where = "/proc/interrupts:" + lineNumber + ": header " + Quote.of(header.strip());
        String[] tokens = header.strip().split("\\s+");
        int[] cpus = new int[tokens.length];
        int previous = -1;
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i];
            if (!t.startsWith("CPU") || t.length() == 3 || t.length() > 8 || !allDigits(t, 3, t.length())) {
                throw new InputException(where + " does not name CPU columns");
            }
            cpus[i] = Integer.parseInt(t.substring(3));
            if (cpus[i] > CpuSet.MAX_CPU_ID) {
                throw new InputException(where + ": CPU " + cpus[i] + " is out of range 0-" + CpuSet.MAX_CPU_ID);
            }
            if (cpus[i] <= previous) {
                throw new InputException(where + " lists CPUs out of order");
            }
            previous = cpus[i];
        }
        return cpus;
    }

    /** Parses the part after "N:"; null if it does not fit the layout. */
    private static IrqLine parseIrqLine(int irq, String line, int from, int columns) {
        long[] counts = new long[columns];
        int pos = from;
        int n = line.length();
        for (int c = 0; c < columns; c++) {
            pos = skipSpaces(line, pos);
            int end = tokenEnd(line, pos);
            if (end == pos || end - pos > 20 || !allDigits(line, pos, end)) {
                return null;
            }
            try {
                counts[c] = Long.parseLong(line, pos, end, 10);
            } catch (NumberFormatException overflow) {
                return null;
            }
            pos = end;
        }
        pos = skipSpaces(line, pos);
        int chipEnd = tokenEnd(line, pos);
        if (chipEnd == pos) {
            return null;
        }
        String chip = line.substring(pos, chipEnd);
        if (allDigits(chip, 0, chip.length())) {
            // More counts than the header has columns: the line belongs to another layout.
            return null;
        }
        pos = skipSpaces(line, chipEnd);
        // The flow handler after the chip (-event, 524288-edge) is no part of the name.
        int handlerEnd = tokenEnd(line, pos);
        boolean handler = isHwirqAndHandler(line, pos, handlerEnd);
        if (handler) {
            pos = skipSpaces(line, handlerEnd);
        }
        // The name as the hook reads it, byte for byte: its words joined by one space.
        List<String> words = pos < n ? ShellRead.words(line.substring(pos)) : List.of();
        String actions = String.join(" ", words);
        return new IrqLine(irq, counts, chip, actions, handler && words.size() == 1 && isExactName(words.get(0)));
    }

    /**
     * The longest name that /sys/kernel/irq/N/actions holds whole: the kernel formats that file
     * into one page (4,096 bytes on x86, more elsewhere), less the terminating NUL.
     */
    static final int LONGEST_EXACT_NAME = 4095;

    /**
     * Whether a name printed after the handler, one word, is byte for byte what the hook reads
     * from /sys/kernel/irq/N/actions ({@code read -r}: the first line, NUL bytes dropped, spaces
     * and tabs stripped at both ends). Both files print the same action names (kernel/irq/proc.c
     * show_interrupts, kernel/irq/irqdesc.c actions_show), {@code ", "} between two of them here
     * and {@code ","} there, so:
     * <ul>
     * <li>one word, after a handler: no blank inside, so no second action (", " has one) and no
     * run of blanks this parser would have joined into one; and the handler seen, the
     * descriptor's name that the kernel prints before the actions, so that the word is all of
     * the name. Xen names the descriptor of every event channel it binds (-event, -virq:
     * drivers/xen/events/events_base.c); a layout that glues it to the chip (kernels before
     * 4.x) or prints a word between them (the trigger type of GENERIC_IRQ_SHOW_LEVEL) is not
     * taken. Blanks at either end go in both readings; a second action with an empty name
     * leaves a trailing comma in both.</li>
     * <li>no control character: none is in a real name (kernel drivers and interface names,
     * or evtchn: and a process name); the two readings agree on one, but it means someone chose
     * the name, and then sysfs, which the hook reads, is the authority. A newline never shows
     * here: it ends the /proc line where the hook's read ends the sysfs one.</li>
     * <li>no longer than {@link #LONGEST_EXACT_NAME}: sysfs cuts a longer name, /proc does not.</li>
     * </ul>
     * Anything else is read from sysfs, as the hook reads it. {@link InterruptsTable#inKernelOrder}
     * adds what one line cannot tell: that no line was forged by a name with a newline in it.
     */
    static boolean isExactName(String word) {
        if (word.length() > LONGEST_EXACT_NAME) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** {@code -event}, {@code -ioapic-edge}, {@code 524288-edge}: an optional hwirq, a dash, a name. */
    private static boolean isHwirqAndHandler(String line, int from, int end) {
        int dash = from;
        while (dash < end && Character.isDigit(line.charAt(dash))) {
            dash++;
        }
        return dash < end - 1 && line.charAt(dash) == '-';
    }

    private static boolean firstTokenIsCount(String line, int from) {
        int pos = skipSpaces(line, from);
        int end = tokenEnd(line, pos);
        return end > pos && allDigits(line, pos, end);
    }

    private static boolean isIrqNumber(String label) {
        return !label.isEmpty() && label.length() <= 9 && allDigits(label, 0, label.length());
    }

    private static boolean isSummaryLabel(String label) {
        if (label.isEmpty() || label.length() > 16 || !Character.isLetter(label.charAt(0))) {
            return false;
        }
        return label.chars().allMatch(Character::isLetterOrDigit);
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return to > from;
    }

    /** Spaces and tabs separate the fields, as for the hook's shell; no other white space does. */
    private static int skipSpaces(String s, int pos) {
        while (pos < s.length() && ShellRead.isBlank(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }

    private static int tokenEnd(String s, int pos) {
        while (pos < s.length() && !ShellRead.isBlank(s.charAt(pos))) {
            pos++;
        }
        return pos;
    }
}
