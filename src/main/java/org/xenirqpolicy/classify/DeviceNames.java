package org.xenirqpolicy.classify;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Tells the {@link Device} of an event channel from its action name. */
public final class DeviceNames {
    // netback names each queue "<ifname>-q<n>" and, with split event channels, adds "-tx"/"-rx".
    private static final Pattern QUEUE = Pattern.compile("(.+)-q([0-9]{1,4})(?:-(tx|rx))?");
    // netback before multi-queue (Linux < 3.16): "vif<dom>.<if>" and "vif<dom>.<if>-tx|rx".
    private static final Pattern SINGLE_QUEUE_VIF = Pattern.compile("(vif[0-9]+\\.[0-9]+)(?:-(tx|rx))?");
    private static final Pattern VIF = Pattern.compile("vif([0-9]{1,9})\\.([0-9]{1,9})");

    private DeviceNames() {
    }

    public static Device of(String actions) {
        // Several handlers on one IRQ print as "a, b"; the first one names the device.
        int comma = actions.indexOf(", ");
        String name = comma < 0 ? actions.strip() : actions.substring(0, comma).strip();
        Matcher m = QUEUE.matcher(name);
        if (m.matches()) {
            return netQueue(m.group(1), Integer.parseInt(m.group(2)));
        }
        m = SINGLE_QUEUE_VIF.matcher(name);
        if (m.matches()) {
            return netQueue(m.group(1), -1);
        }
        if (name.equals("blkif-backend") || name.equals("blkif")) {
            return new Device.Block();
        }
        if (name.equals("xenbus")) {
            return new Device.Xenbus();
        }
        if (name.equals("hvc_console")) {
            return new Device.Console();
        }
        if (name.startsWith("evtchn:")) {
            return new Device.Evtchn(name.substring("evtchn:".length()));
        }
        return new Device.Other();
    }

    /** The -tx/-rx suffix only tells which half of the queue's pair: both are placed alike. */
    private static Device netQueue(String iface, int queue) {
        Matcher vif = VIF.matcher(iface);
        int domain = -1;
        int index = -1;
        if (vif.matches()) {
            domain = Integer.parseInt(vif.group(1));
            index = Integer.parseInt(vif.group(2));
        }
        return new Device.NetQueue(iface, domain, index, queue);
    }
}
