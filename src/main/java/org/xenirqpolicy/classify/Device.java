package org.xenirqpolicy.classify;

/** What an event channel serves, told from its action name. */
public sealed interface Device {
    /** A short word for tables: net, block, xenbus, console, evtchn, other. */
    String kind();

    /**
     * A network queue: netback's {@code vif<dom>.<if>-q<n>-tx|rx}, {@code vif<dom>.<if>-q<n>},
     * {@code vif<dom>.<if>}, or the same under a renamed interface ({@code vifname=} in xl.cfg).
     *
     * @param iface     the interface name, such as {@code vif26.0}
     * @param domain    the guest's domain id where the name tells it, else -1
     * @param vif       the interface index within the guest where the name tells it, else -1
     * @param queue     the queue number, or -1 for a single-queue interface
     */
    record NetQueue(String iface, int domain, int vif, int queue) implements Device {
        @Override
        public String kind() {
            return "net";
        }
    }

    /** blkback's {@code blkif-backend} (or a frontend's {@code blkif}). */
    record Block() implements Device {
        @Override
        public String kind() {
            return "block";
        }
    }

    /** The xenbus channel to xenstore. */
    record Xenbus() implements Device {
        @Override
        public String kind() {
            return "xenbus";
        }
    }

    /** The hypervisor console, {@code hvc_console}. */
    record Console() implements Device {
        @Override
        public String kind() {
            return "console";
        }
    }

    /** A channel bound by a user-space process through /dev/xen/evtchn: {@code evtchn:xenstored}. */
    record Evtchn(String process) implements Device {
        @Override
        public String kind() {
            return "evtchn";
        }
    }

    /** Anything else (global VIRQs such as {@code mce}, unknown drivers): still placed. */
    record Other() implements Device {
        @Override
        public String kind() {
            return "other";
        }
    }
}
