package io.cyberun.contracts.auth;

/** A principal token that is missing, malformed, badly signed or expired. */
public class InvalidPrincipalException extends RuntimeException {
    public InvalidPrincipalException(String message) {
        super(message);
    }
}
