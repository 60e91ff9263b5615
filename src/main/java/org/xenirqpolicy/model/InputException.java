package org.xenirqpolicy.model;

/**
 * Bad input from the host or the user: a missing or garbled file, a value out of range, an
 * empty CPU set. The CLI turns it into one line on stderr and exit status 2, after nothing
 * has been written.
 */
public final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message, null, false, false);
    }
}
