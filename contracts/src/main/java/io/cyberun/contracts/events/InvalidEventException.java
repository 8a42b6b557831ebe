package io.cyberun.contracts.events;

/** A message that is not a readable event of the expected family. Never retried: it goes to the DLQ. */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }
}
