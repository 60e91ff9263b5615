package org.xenirqpolicy.check;

import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.contract.PlanStore;
import org.xenirqpolicy.contract.Requests;
import org.xenirqpolicy.engine.Engine;
import org.xenirqpolicy.engine.Status;
import org.xenirqpolicy.host.Host;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;
import org.xenirqpolicy.read.IrqbalanceConfig;
import org.xenirqpolicy.setup.HookOptOut;
import org.xenirqpolicy.setup.Installer;
import org.xenirqpolicy.setup.IrqbalanceArgs;

/**
 * Whether the host is as the package means it to be, for monitoring and for %post's report:
 * everything is read through {@link #read} first, then judged by {@link #verdicts}, which is pure.
 */
public final class Checks {
    public static final String SELINUX_ENFORCE = "/sys/fs/selinux/enforce";
    public static final String SELINUX_BOOLEAN = "irqbalance_run_unconfined";
    public static final String SELINUX_BOOLEAN_PATH = "/sys/fs/selinux/booleans/" + SELINUX_BOOLEAN;
    /** How long a request may wait: the path unit starts an apply within a second or two. */
    public static final Duration REQUEST_PATIENCE = Duration.ofSeconds(60);
    /** The most misplaced IRQs named on the placement line; the rest are counted. */
    private static final int NAMED = 5;

    private Checks() {
    }

    /** A running irqbalance: its PID and its arguments, the program name left out. */
    public record Process(int pid, List<String> args) {
    }

    /** A request left by the hook, and when it was written. */
    public record Request(String path, Instant written) {
    }

    /**
     * What the checks judge, as read from the host.
     *
     * @param now                   when the host was read
     * @param sysconfig             /etc/sysconfig/irqbalance, if it exists
     * @param irqbalance            the irqbalance processes
     * @param policyDirsWithOurLink the policy paths named (by the file or on a command line) that
     *                              are directories holding our link to the hook
     * @param selinuxEnforce        /sys/fs/selinux/enforce, if SELinux is enabled
     * @param unconfinedBoolean     the boolean's file: "current pending"
     * @param lastApply             the record of the last apply, if any
     * @param status                where the event channels are against the applied plan
     * @param statusError           why there is no status (bad input), or null
     * @param planFileExists        whether something is at the plan file's path, trusted or not
     * @param requests              the pending requests
     * @param hookOptedOut          when uninstall recorded that irqbalance runs without the hook by
     *                              choice, if {@link HookOptOut} trusts such a record
     */
    public record Inputs(Instant now, Optional<String> sysconfig, List<Process> irqbalance, Set<String> policyDirsWithOurLink,
            Optional<String> selinuxEnforce, Optional<String> unconfinedBoolean, Optional<String> lastApply,
            Optional<Status> status, String statusError, boolean planFileExists, List<Request> requests,
            Optional<Instant> hookOptedOut) {
    }

    public static Inputs read(Host host, Instant now) {
        Optional<Status> status = Optional.empty();
        String statusError = null;
        try {
            status = Optional.of(Status.read(host, 0));
        } catch (InputException | UncheckedIOException e) {
            // Bad input is what apply would refuse too: a failed check, not a failed command.
            statusError = e.getMessage();
        }
        return read(host, now, status, statusError);
    }

    /** As {@link #read(Host, Instant)}, with the status already read (metrics reads it once for both). */
    public static Inputs read(Host host, Instant now, Status status) {
        return read(host, now, Optional.of(status), null);
    }

    private static Inputs read(Host host, Instant now, Optional<Status> status, String statusError) {
        Optional<String> sysconfig = host.read(IrqbalanceConfig.PATH);
        List<Process> irqbalance = irqbalanceProcesses(host);
        Set<String> named = new LinkedHashSet<>();
        sysconfig.flatMap(IrqbalanceArgs::policyAsSystemdReads).ifPresent(named::add);
        for (Process p : irqbalance) {
            Optional.ofNullable(IrqbalanceArgs.policyScript(p.args())).ifPresent(named::add);
        }
        Set<String> withOurLink = new LinkedHashSet<>();
        for (String path : named) {
            if (holdsOurLink(host, path)) {
                withOurLink.add(path);
            }
        }
        List<Request> requests = new ArrayList<>();
        for (String request : Requests.pending(host)) {
            host.modified(request).ifPresent(t -> requests.add(new Request(request, t)));
        }
        return new Inputs(now, sysconfig, irqbalance, withOurLink, host.read(SELINUX_ENFORCE), host.read(SELINUX_BOOLEAN_PATH),
                host.read(LastApply.PATH), status, statusError, PlanStore.exists(host), requests, HookOptOut.read(host));
    }

    /**
     * The processes whose name is irqbalance (/proc/PID/comm) or whose program is (the first
     * word of /proc/PID/cmdline, NUL-separated). One that exits while we read is left out.
     */
    static List<Process> irqbalanceProcesses(Host host) {
        List<Process> found = new ArrayList<>();
        for (String pid : host.list("/proc")) {
            if (!pid.matches("[0-9]{1,9}")) {
                continue;
            }
            try {
                String comm = host.read("/proc/" + pid + "/comm").orElse("");
                List<String> argv = nulSeparated(host.read("/proc/" + pid + "/cmdline").orElse(""));
                String program = argv.isEmpty() ? "" : argv.get(0);
                if (comm.strip().equals("irqbalance") || program.equals("irqbalance") || program.endsWith("/irqbalance")) {
                    found.add(new Process(Integer.parseInt(pid), argv.isEmpty() ? List.of() : argv.subList(1, argv.size())));
                }
            } catch (InputException e) {
                // Gone, or not ours to read: not an irqbalance we can judge.
            }
        }
        return found;
    }

    /** The words of a /proc/PID/cmdline: each ends in a NUL. */
    static List<String> nulSeparated(String cmdline) {
        List<String> words = new ArrayList<>();
        int start = 0;
        while (start < cmdline.length()) {
            int end = cmdline.indexOf('\0', start);
            if (end < 0) {
                end = cmdline.length();
            }
            words.add(cmdline.substring(start, end));
            start = end + 1;
        }
        return words;
    }

    /** Whether {@code path} is a policy directory holding the link install adds there. */
    private static boolean holdsOurLink(Host host, String path) {
        if (!path.startsWith("/") || path.equals(IrqbalanceArgs.HOOK)) {
            return false;
        }
        try {
            return host.isDirectory(path)
                    && IrqbalanceArgs.linksToHook(host, path.replaceAll("/+$", "") + "/" + Installer.LINK_NAME);
        } catch (InvalidPathException | UncheckedIOException | InputException e) {
            return false;
        }
    }

    /** The verdicts, in a fixed order. */
    public static List<Check> verdicts(Inputs in) {
        Check configured = hookConfigured(in);
        // The opt-out counts only while the hook is not configured: wired again by hand, the hook
        // is judged as usual (a restart it still needs fails hook-running), the record stale.
        Optional<Instant> optedOut = configured.ok() ? Optional.empty() : in.hookOptedOut();
        return List.of(honouring(optedOut, configured, ""), honouring(optedOut, hookRunning(in), ""), irqbalanceActive(in),
                honouring(optedOut, selinux(in), ""), lastApply(in), planFresh(in),
                honouring(optedOut, placement(in), ": irqbalance places the event channels, not the plan"),
                requests(in));
    }

    /**
     * A check that only matters with the hook, passed when irqbalance runs without it by the
     * admin's choice: the failure would last as long as that choice, and its alert with it.
     */
    private static Check honouring(Optional<Instant> optedOut, Check check, String why) {
        if (check.ok() || optedOut.isEmpty()) {
            return check;
        }
        return new Check(check.name(), true, "the hook was removed by 'xen-irq-policy uninstall' at " + optedOut.get()
                + " ('xen-irq-policy install' puts it back)" + why);
    }

    static Check hookConfigured(Inputs in) {
        String name = "hook-configured";
        String file = IrqbalanceConfig.PATH;
        if (in.sysconfig().isEmpty()) {
            return new Check(name, false, file + " does not exist, so irqbalance runs no policy script");
        }
        String text = in.sysconfig().get();
        Optional<String> problem = IrqbalanceArgs.problemAsSystemdReads(text);
        if (problem.isEmpty()) {
            return new Check(name, true, file + " passes irqbalance " + IrqbalanceArgs.OUR_ARG + " as systemd reads it");
        }
        Optional<String> dir = IrqbalanceArgs.policyAsSystemdReads(text).filter(in.policyDirsWithOurLink()::contains);
        if (dir.isPresent()) {
            return new Check(name, true, file + " passes irqbalance the policy directory " + Quote.line(dir.get())
                    + ", which holds our link " + Installer.LINK_NAME + " -> " + IrqbalanceArgs.HOOK);
        }
        return new Check(name, false, Quote.line(file + problem.get()));
    }

    static Check hookRunning(Inputs in) {
        String name = "hook-running";
        if (in.irqbalance().isEmpty()) {
            return new Check(name, false, "no irqbalance process is running, so none runs " + IrqbalanceArgs.HOOK);
        }
        for (Process p : in.irqbalance()) {
            String policy = IrqbalanceArgs.policyScript(p.args());
            if (policy == null) {
                return new Check(name, false, "irqbalance (PID " + p.pid() + ") runs with no policy script: it was started before "
                        + IrqbalanceArgs.VARIABLE + " named the hook; restart it (systemctl restart irqbalance)");
            }
            if (!policy.equals(IrqbalanceArgs.HOOK) && !in.policyDirsWithOurLink().contains(policy)) {
                return new Check(name, false, "irqbalance (PID " + p.pid() + ") runs the policy script " + Quote.of(policy)
                        + ", not " + IrqbalanceArgs.HOOK);
            }
        }
        Process first = in.irqbalance().get(0);
        String policy = IrqbalanceArgs.policyScript(first.args());
        return new Check(name, true, "irqbalance (PID " + first.pid() + ") runs "
                + (policy.equals(IrqbalanceArgs.HOOK) ? IrqbalanceArgs.HOOK : "the policy directory " + Quote.line(policy)));
    }

    static Check irqbalanceActive(Inputs in) {
        String name = "irqbalance-active";
        if (in.irqbalance().isEmpty()) {
            return new Check(name, false, "no irqbalance process is running");
        }
        List<String> pids = in.irqbalance().stream().map(p -> String.valueOf(p.pid())).toList();
        return new Check(name, true, "irqbalance is running (PID " + String.join(", ", pids) + ")");
    }

    static Check selinux(Inputs in) {
        String name = "selinux";
        if (in.selinuxEnforce().isEmpty()) {
            return new Check(name, true, "not enforcing: SELinux is not enabled");
        }
        if (!in.selinuxEnforce().get().strip().equals("1")) {
            return new Check(name, true, "not enforcing: SELinux is permissive");
        }
        if (in.unconfinedBoolean().isEmpty()) {
            return new Check(name, false, "SELinux enforces and its policy has no boolean " + SELINUX_BOOLEAN
                    + ", so irqbalance may not run the hook");
        }
        String[] fields = in.unconfinedBoolean().get().strip().split("\\s+");
        if (fields[0].equals("1")) {
            return new Check(name, true, "SELinux enforces and " + SELINUX_BOOLEAN + " is on");
        }
        return new Check(name, false, "SELinux enforces and " + SELINUX_BOOLEAN + " is off, so irqbalance cannot run the hook:"
                + " setsebool -P " + SELINUX_BOOLEAN + " on");
    }

    static Check lastApply(Inputs in) {
        String name = "last-apply";
        if (in.lastApply().isEmpty()) {
            return new Check(name, false, "no apply since boot (" + LastApply.PATH + " does not exist)");
        }
        Optional<LastApply> record = LastApply.parse(in.lastApply().get());
        if (record.isEmpty()) {
            return new Check(name, false, LastApply.PATH + " is not a record of an apply: " + Quote.of(in.lastApply().get()));
        }
        LastApply last = record.get();
        if (last.exitStatus() != 0) {
            return new Check(name, false, "the last apply, at " + last.time() + ", exited with status " + last.exitStatus()
                    + ": see journalctl -u xen-irq-policy.service");
        }
        return new Check(name, true, "the last apply, at " + last.time() + ", succeeded");
    }

    static Check planFresh(Inputs in) {
        String name = "plan-fresh";
        if (in.status().isEmpty()) {
            return new Check(name, false, Quote.line(in.statusError()));
        }
        Engine.Planned planned = in.status().get().planned();
        if (planned.previous().isEmpty() && in.planFileExists()) {
            // The hook does not trust it either: it falls back to its own rule.
            return new Check(name, false, Locations.PLAN + " is not a plan this version can read: run 'xen-irq-policy apply'");
        }
        if (planned.previous().isEmpty()) {
            return new Check(name, false, "no applied plan in " + Locations.PLAN + ": run 'xen-irq-policy apply'");
        }
        String now = planned.plan().usable().toList();
        if (planned.appliedPlanStale()) {
            return new Check(name, false, "the applied plan was made for CPUs " + planned.previous().get().usable().toList()
                    + ", usable now " + now + ": run 'xen-irq-policy apply'");
        }
        return new Check(name, true, "the applied plan is for CPUs " + now + ", the usable CPUs now");
    }

    static Check placement(Inputs in) {
        String name = "placement";
        if (in.status().isEmpty()) {
            return new Check(name, false, Quote.line(in.statusError()));
        }
        Status status = in.status().get();
        if (!status.againstAppliedPlan()) {
            return new Check(name, false, "no applied plan to check the event channels against");
        }
        // Excluded IRQs have no planned CPU: they are where the admin put them, never misplaced.
        int excluded = status.planned().excluded().size();
        int total = status.planned().irqs().size() - excluded;
        List<Status.Misplaced> misplaced = status.misplaced();
        if (misplaced.isEmpty()) {
            return new Check(name, true, "all " + total + " event-channel IRQs are on their planned CPUs"
                    + (excluded > 0 ? " (" + excluded + " excluded, left where they are)" : ""));
        }
        List<String> named = new ArrayList<>();
        for (Status.Misplaced m : misplaced.subList(0, Math.min(NAMED, misplaced.size()))) {
            String on = m.irq().affinity().toListOr("none");
            named.add(m.irq().irq() + " " + Quote.name(m.irq().name()) + " on " + on + ", planned " + m.plannedCpu());
        }
        String more = misplaced.size() > NAMED ? "; and " + (misplaced.size() - NAMED) + " more" : "";
        return new Check(name, false, Quote.line(misplaced.size() + " of " + total + " event-channel IRQs are not on their planned CPU: "
                + String.join("; ", named) + more));
    }

    static Check requests(Inputs in) {
        String name = "requests";
        if (in.requests().isEmpty()) {
            return new Check(name, true, "no request from the hook is waiting");
        }
        Request oldest = in.requests().get(0);
        int late = 0;
        for (Request r : in.requests()) {
            if (r.written().isBefore(oldest.written())) {
                oldest = r;
            }
            if (Duration.between(r.written(), in.now()).compareTo(REQUEST_PATIENCE) > 0) {
                late++;
            }
        }
        long waited = Math.max(0, Duration.between(oldest.written(), in.now()).toSeconds());
        if (late == 0) {
            return new Check(name, true, in.requests().size() + " request(s) from the hook waiting, the oldest for " + waited + " s");
        }
        return new Check(name, false, Quote.line(late + " request(s) from the hook waited more than " + REQUEST_PATIENCE.toSeconds()
                + " s, the oldest " + oldest.path() + " for " + waited + " s: is xen-irq-policy.path active?"));
    }
}
