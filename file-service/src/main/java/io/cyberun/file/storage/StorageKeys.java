package io.cyberun.file.storage;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Object keys are built here, never taken from clients: everything of a team lives under
 * {@code teams/{team}/}, so a key names its owner.
 */
public final class StorageKeys {
    /** Output file names: relative paths of safe characters, no {@code ..}, no leading slash. */
    static final Pattern FILE_NAME = Pattern.compile("^[A-Za-z0-9._-][A-Za-z0-9._ /-]{0,254}$");

    /** Which bucket a key belongs in, by its shape. */
    public enum Kind { INPUT, OUTPUT, MODEL }

    private StorageKeys() {
    }

    public static String teamPrefix(UUID teamId) {
        return "teams/" + teamId + "/";
    }

    public static String output(UUID teamId, UUID taskId, String fileName) {
        return teamPrefix(teamId) + "tasks/" + taskId + "/outputs/" + fileName;
    }

    public static String input(UUID teamId, UUID uploadId, String fileName) {
        return teamPrefix(teamId) + "inputs/" + uploadId + "/" + fileName;
    }

    public static String model(UUID teamId, UUID uploadId, String fileName) {
        return teamPrefix(teamId) + "models/" + uploadId + "/" + fileName;
    }

    /** Whether a client-chosen name is safe to put in a key. */
    public static boolean isSafeName(String name) {
        return name != null && FILE_NAME.matcher(name).matches() && !name.contains("..") && !name.contains("//") && !name.endsWith("/");
    }

    /** The kind of a key of the given team, or empty when the key is not the team's or has no known shape. */
    public static Optional<Kind> kindOf(UUID teamId, String key) {
        String prefix = teamPrefix(teamId);
        if (key == null || !key.startsWith(prefix) || key.contains("..")) {
            return Optional.empty();
        }
        String rest = key.substring(prefix.length());
        if (rest.startsWith("inputs/")) {
            return Optional.of(Kind.INPUT);
        }
        if (rest.startsWith("tasks/") && rest.contains("/outputs/")) {
            return Optional.of(Kind.OUTPUT);
        }
        if (rest.startsWith("models/")) {
            return Optional.of(Kind.MODEL);
        }
        return Optional.empty();
    }
}
