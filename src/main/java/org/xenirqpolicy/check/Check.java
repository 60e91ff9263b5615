package org.xenirqpolicy.check;

/**
 * One verdict of {@code xen-irq-policy check}.
 *
 * @param name   a fixed name a monitoring rule can match, such as {@code hook-running}
 * @param ok     whether all is well
 * @param detail one line: what was found, and on failure what is wrong
 */
public record Check(String name, boolean ok, String detail) {
}
