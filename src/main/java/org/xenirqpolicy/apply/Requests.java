package org.xenirqpolicy.apply;

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
    public static final String OWN_DIR = "/run/xen-irq-policy";
    public static final String OWN_PREFIX = "request.";

    private Requests() {
    }

    /**
     * Removes every pending request; returns whether there was any. Called before the host is
     * read, so that a request written after this point survives and starts the next run.
     */
    public static boolean consume(Host host) {
        return consume(host, SANDBOXED_DIR, SANDBOXED_PREFIX) | consume(host, OWN_DIR, OWN_PREFIX);
    }

    private static boolean consume(Host host, String dir, String prefix) {
        boolean any = false;
        for (String name : host.list(dir)) {
            if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]{1,9}")) {
                host.delete(dir + "/" + name);
                any = true;
            }
        }
        return any;
    }
}
