package io.cyberun.cli;

/**
 * A failure the user is told about in words, with what to do next, and the exit code it ends the command with.
 * Exit codes (also in {@code cyberun --help} and the README):
 * <ul>
 * <li>0: done;</li>
 * <li>1: the task ended failed or cancelled ({@code --watch}, {@code tasks watch});</li>
 * <li>2: the command line is wrong (unknown option, missing argument, unreadable file);</li>
 * <li>3: the platform refused the request (invalid input, not found, conflict);</li>
 * <li>4: not signed in, or the credential may not do this;</li>
 * <li>5: the platform cannot be reached, is overloaded or failed (try again);</li>
 * <li>6: gave up waiting (a pairing that expired, {@code --timeout}).</li>
 * </ul>
 */
public class CliException extends RuntimeException {
    public static final int TASK_FAILED = 1;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;
    public static final int NOT_ALLOWED = 4;
    public static final int UNAVAILABLE = 5;
    public static final int TIMED_OUT = 6;

    private final int exitCode;
    private final String hint;

    public CliException(int exitCode, String message, String hint) {
        super(message);
        this.exitCode = exitCode;
        this.hint = hint;
    }

    public int exitCode() {
        return exitCode;
    }

    /** What to do next, or null. */
    public String hint() {
        return hint;
    }

    static CliException usage(String message, String hint) {
        return new CliException(USAGE, message, hint);
    }
}
