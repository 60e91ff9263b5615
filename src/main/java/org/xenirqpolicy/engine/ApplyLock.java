package org.xenirqpolicy.engine;

import java.io.UncheckedIOException;
import org.xenirqpolicy.contract.Locations;
import org.xenirqpolicy.host.Host;

/**
 * The protocol that keeps applies from interleaving, in one place.
 *
 * <ul>
 * <li>What is locked: {@link Locations#LOCK}, with an exclusive lock ({@link Host#lock}) that an
 * apply holds from after its first read of the host to its last write. Only applies take it; the
 * hook never does (irqbalance waits for the hook, which must not wait for an apply).
 * <li>What is recorded: an apply that changed the host (moved an IRQ or saved a plan) writes a
 * mark unique to it, its PID and a clock, into the lock file before it lets go. One that changed
 * nothing leaves the file as it was.
 * <li>Who reads the mark, and why: the next apply, twice. It reads the mark before its first
 * read of the host, which it does without the lock so that bad input writes nothing, not even
 * the lock file; and again once it holds the lock. If the mark changed, or the apply had to wait
 * for the lock, another apply changed the host while this one read: the host is read again.
 * </ul>
 */
final class ApplyLock implements AutoCloseable {
    private final Host.HostLock lock;
    private final boolean anotherApplyRan;

    private ApplyLock(Host.HostLock lock, boolean anotherApplyRan) {
        this.lock = lock;
        this.anotherApplyRan = anotherApplyRan;
    }

    /** The mark as it is before the unlocked first read of the host; empty if there is none. */
    static String markBeforeRead(Host host) {
        return host.read(Locations.LOCK).orElse("");
    }

    /** Takes the lock, waiting for another apply that holds it. */
    static ApplyLock take(Host host, String markBeforeRead) {
        Host.HostLock lock = host.lock(Locations.LOCK);
        try {
            boolean waitedForAnother = lock.waited();
            boolean anotherMarkedSinceRead = !lock.marked().equals(markBeforeRead);
            return new ApplyLock(lock, waitedForAnother || anotherMarkedSinceRead);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Whether another apply ran between the first read of the host and taking the lock. */
    boolean anotherApplyRan() {
        return anotherApplyRan;
    }

    /** Leaves this apply's mark, for the next apply to compare; call only if the host changed. */
    void markChanged() {
        try {
            lock.mark(ProcessHandle.current().pid() + " " + System.nanoTime() + "\n");
        } catch (UncheckedIOException e) {
            // Then the next apply that overlaps this one may repeat some of its writes: harmless.
        }
    }

    @Override
    public void close() {
        lock.close();
    }
}
