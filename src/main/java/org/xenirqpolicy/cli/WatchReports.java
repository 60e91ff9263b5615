package org.xenirqpolicy.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xenirqpolicy.engine.Watch;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.model.Selector;

/**
 * status --watch: the per-CPU view with interrupts per second, refreshed until interrupted. On a
 * terminal each refresh clears the screen and draws anew, cut to its width, as top does; into a
 * pipe or a file the refreshes follow each other, a blank line apart, whole.
 */
final class WatchReports {
    /** Cursor home, then erase the screen (ECMA-48 CUP and ED), as clear(1) does on any VT100 heir. */
    static final String CLEAR = "\033[H\033[2J";

    private WatchReports() {
    }

    /** Never returns: the user ends it with Ctrl-C (SIGINT), which ends the JVM with status 130. */
    static void run(Host host, Watch watch, int seconds, List<Selector> only, Log log) {
        boolean first = true;
        while (true) {
            sleep(seconds);
            String frame = frame(watch.next(host), seconds, only);
            if (log.console().terminal()) {
                log.clearScreen(CLEAR);
            } else if (!first) {
                frame = "\n" + frame;
            }
            log.report(frame, false);
            log.flush();
            first = false;
        }
    }

    static String frame(Watch.Frame f, int every, List<Selector> only) {
        StringBuilder out = new StringBuilder();
        out.append("every ").append(every).append("s: ").append(f.eventChannels())
                .append(" event-channel IRQs, interrupts per second over the last ")
                .append(String.format(Locale.ROOT, "%.2f", f.seconds())).append(" s\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CPU", "IRQS", "INTR/S", "EVENT CHANNELS (INTR/S), BUSIEST FIRST"});
        for (Watch.CpuRate cpu : f.cpus()) {
            List<String> names = new ArrayList<>();
            for (Watch.IrqRate r : cpu.irqs()) {
                if (only.isEmpty() || only.stream().anyMatch(s -> s.matches(r.irq().irq(), r.irq().name()))) {
                    names.add(r.irq().irq() + " " + Quote.name(r.irq().name()) + " " + rate(r.perSecond()));
                }
            }
            rows.add(new String[] {cpu.cpu() + (cpu.usable() ? "" : " (not usable)"), String.valueOf(cpu.irqs().size()),
                rate(cpu.perSecond()), String.join(", ", names)});
        }
        Reports.table(rows, out, 1, 2);
        if (f.unbound() > 0) {
            out.append(f.unbound()).append(" event-channel IRQs are not bound to one CPU\n");
        }
        return out.toString();
    }

    /** Whole numbers, but a tenth below 10/s, where a whole number would hide a trickle. */
    static String rate(double perSecond) {
        return String.format(Locale.ROOT, perSecond < 10 ? "%.1f" : "%.0f", perSecond);
    }

    private static void sleep(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
