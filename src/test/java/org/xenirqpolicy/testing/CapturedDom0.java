package org.xenirqpolicy.testing;

import java.nio.file.Path;

/**
 * The real Xen 4.17 dom0 in ../shared/fixtures/xen-dom0-linux-6.1, laid out as a tree: the
 * capture's {@code grep . FILES} outputs are turned back into the files they were read from.
 */
public final class CapturedDom0 {
    public static final String DIR = "fixtures/xen-dom0-linux-6.1";

    private CapturedDom0() {
    }

    public static HostTree layOut(Path root) {
        Path capture = Fixtures.required(DIR);
        HostTree tree = HostTree.at(root);
        tree.write("/proc/interrupts", Fixtures.read(capture.resolve("proc_interrupts.txt")));
        tree.write("/sys/devices/system/cpu/online", Fixtures.read(capture.resolve("cpu_online.txt")));
        for (String grep : new String[] {"chip_name.txt", "actions.txt", "smp_affinity_list.txt",
            "effective_affinity_list.txt"}) {
            for (String line : Fixtures.read(capture.resolve(grep)).split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    tree.write(line.substring(0, colon), line.substring(colon + 1) + "\n");
                }
            }
        }
        return tree;
    }
}
