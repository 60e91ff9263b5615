package org.xenirqpolicy.contract;

import java.util.ArrayList;
import java.util.List;
import org.xenirqpolicy.host.Host;

/**
 * Requests left by the irqbalance hook for event channels the plan does not know yet: one empty
 * file per IRQ, in irqbalance's runtime directory (all its sandbox lets the hook write) or, where
 * irqbalance runs unsandboxed, in ours. The systemd path unit starts an apply while any exists.
 */
public final class Requests {
    /** Where the hook writes under irqbalance.service's sandbox (RuntimeDirectory=irqbalance). */
    public static final String SANDBOXED_DIR = "/run/irqbalance";
    public static final String SANDBOXED_PREFIX = "xen-irq-policy-request.";
    /** Where the hook writes when /run/irqbalance is not writable. */
    public static final String OWN_DIR = Locations.RUN_DIR;
    public static final String OWN_PREFIX = "request.";

    private Requests() {
    }

    /**
     * The pending requests, as host paths. Listed before the host is read and removed with
     * {@link #remove} only once the apply that read them has run to the end: a request written
     * after the listing survives and starts the next run, and one an apply saw survives that
     * apply's crash, for the service's restart to answer.
     */
    public static List<String> pending(Host host) {
        List<String> found = new ArrayList<>();
        pending(host, SANDBOXED_DIR, SANDBOXED_PREFIX, found);
        pending(host, OWN_DIR, OWN_PREFIX, found);
        return found;
    }

    /** Removes these requests; one already gone is no error. */
    public static void remove(Host host, List<String> requests) {
        for (String request : requests) {
            host.delete(request);
        }
    }

    private static void pending(Host host, String dir, String prefix, List<String> found) {
        for (String name : host.list(dir)) {
            if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]{1,9}")) {
                found.add(dir + "/" + name);
            }
        }
    }
}
