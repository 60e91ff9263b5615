package org.xenirqpolicy.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenirqpolicy.testing.Cli;
import org.xenirqpolicy.testing.HostTree;

/**
 * Under --root, links resolve as in a chroot to the root: nothing outside the tree is read or
 * written, whatever the tree's links say; a link whose target exists inside the tree is followed.
 */
class RootConfinementTest {
    private static final String SECRET = "root:$6$SECRET-HASH-NEVER-SHOWN:19000:0:99999:7:::";

    @TempDir
    Path tmp;
    Path root;
    HostTree tree;
    /** Files outside the tree that a link in it names. */
    Path outside;

    @BeforeEach
    void sampleTreeAndFilesOutsideIt() throws Exception {
        root = Cli.sampleDom0(tmp.resolve("tree/root"));
        tree = HostTree.at(root);
        outside = Files.createDirectories(tmp.resolve("elsewhere"));
    }

    private static String bytes(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.ISO_8859_1);
    }

    private void link(String hostPath, String target) throws Exception {
        Path at = tree.path(hostPath);
        Files.deleteIfExists(at);
        Files.createSymbolicLink(at, Path.of(target));
    }

    @Test
    void applyDoesNotWriteThroughAnAbsoluteLinkOutOfTheTree() throws Exception {
        Path victim = Files.writeString(outside.resolve("victim"), "not an affinity\n");
        link("/proc/irq/241/smp_affinity_list", victim.toString());

        Cli.Result r = Cli.run("apply", "--root", root.toString());

        assertEquals("not an affinity\n", bytes(victim), "the file outside the tree is untouched");
        // Inside the tree the link leads to nothing: the IRQ reads as gone, the others are placed.
        assertTrue(r.out().contains("spread: 7 moved, 0 in place, 1 gone, 0 failed; plan saved in /run/xen-irq-policy/plan\n"), r.out() + r.err());
        assertEquals(0, r.status(), r.err());
        assertEquals("0\n", tree.read("/proc/irq/242/smp_affinity_list"));
    }

    @Test
    void applyDoesNotClimbOutOfTheTreeThroughDotDot() throws Exception {
        // root is tmp/tree/root: from root/proc/irq/241, four levels up is tmp/tree, above the root.
        Path victim = Files.writeString(tmp.resolve("tree/outside"), "not an affinity\n");
        link("/proc/irq/241/smp_affinity_list", "../../../../outside");
        Path alsoVictim = Files.writeString(outside.resolve("smp_affinity_list"), "not an affinity\n");
        Files.delete(tree.path("/proc/irq/242/smp_affinity_list"));
        Files.delete(tree.path("/proc/irq/242/smp_affinity"));
        Files.delete(tree.path("/proc/irq/242"));
        link("/proc/irq/242", "../../../../elsewhere");

        Cli.Result r = Cli.run("apply", "--root", root.toString());

        assertEquals("not an affinity\n", bytes(victim));
        assertEquals("not an affinity\n", bytes(alsoVictim), "a linked directory leads nowhere outside either");
        assertTrue(r.out().contains("spread: 6 moved, 0 in place, 2 gone, 0 failed; plan saved in /run/xen-irq-policy/plan\n"), r.out() + r.err());
        assertFalse(Files.exists(root.resolve("outside")), "nothing is created where the link leads in the tree");
    }

    @Test
    void planDoesNotReadALinkedSecretOutsideTheTree() throws Exception {
        Path shadow = Files.writeString(outside.resolve("shadow"), SECRET + "\nbin:*:19000:0:99999:7:::\n");
        link("/proc/interrupts", shadow.toString());

        Cli.Result r = Cli.run("plan", "--root", root.toString());

        assertFalse((r.out() + r.err()).contains("SECRET"), r.out() + r.err());
        assertEquals(2, r.status());
        assertEquals("xen-irq-policy: cannot read " + root.resolve("proc/interrupts") + ": no such file\n", r.err());
    }

    @Test
    void aLinkedSysconfigFileOutsideTheTreeIsNotRead() throws Exception {
        Path shadow = Files.writeString(outside.resolve("shadow"), SECRET + "\nIRQBALANCE_BANNED_CPUS=f\n");
        tree.write("/etc/sysconfig/placeholder", "");
        link("/etc/sysconfig/irqbalance", shadow.toString());

        Cli.Result plan = Cli.run("plan", "--root", root.toString());
        Cli.Result status = Cli.run("status", "--root", root.toString());

        assertFalse((plan.out() + plan.err() + status.out() + status.err()).contains("SECRET"));
        // The banned list outside (all CPUs) is not seen: inside the tree there is no such file.
        assertEquals(0, plan.status(), plan.err());
        assertEquals("", plan.err());
        assertEquals(bytes(shadow), SECRET + "\nIRQBALANCE_BANNED_CPUS=f\n");
    }

    @Test
    void anAbsoluteLinkIsFollowedInsideTheTreeAsInAChroot() throws Exception {
        Cli.Result unlinked = Cli.run("plan", "--root", root.toString());
        Path shadow = Files.writeString(outside.resolve("shadow"), SECRET + "\n");
        // The same absolute path inside the tree holds the real table.
        HostTree.at(root).write(shadow.toString(), tree.read("/proc/interrupts"));
        link("/proc/interrupts", shadow.toString());
        // A relative link that climbs too far stops at the root, as /.. is /. (An IRQ no real host
        // has, so that a test run on code without this confinement cannot change this machine.)
        tree.write("/proc/irq/9999/smp_affinity_list", "0-3\n");
        link("/proc/irq/243/smp_affinity_list", "../../../../../../../../../../../../proc/irq/9999/smp_affinity_list");

        Cli.Result linked = Cli.run("plan", "--root", root.toString());

        assertEquals(0, linked.status(), linked.err());
        assertEquals(unlinked.out(), linked.out());
        assertFalse(linked.out().contains("SECRET"));

        Cli.Result apply = Cli.run("apply", "--root", root.toString());
        assertEquals(0, apply.status(), apply.err());
        assertEquals("1\n", tree.read("/proc/irq/9999/smp_affinity_list"), "243's CPU, written through its link");
        assertEquals(SECRET + "\n", bytes(shadow));
    }

    @Test
    void aLinkLoopInTheTreeIsBadInput() throws Exception {
        link("/proc/interrupts", "/proc/interrupts");
        Cli.Result r = Cli.run("plan", "--root", root.toString());
        assertEquals(2, r.status());
        assertEquals("xen-irq-policy: cannot read " + root.resolve("proc/interrupts")
                + ": too many levels of symbolic links\n", r.err());
    }
}
