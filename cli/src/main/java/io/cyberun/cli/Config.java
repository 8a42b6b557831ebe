package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * What {@code cyberun login} stores: the server, the {@code dk-} device key and its companion {@code ak-} agent key,
 * the team. One JSON file, readable by its owner only (mode 0600, in a 0700 folder): {@code $CYBERUN_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/cyberun/config.json}, else {@code ~/.config/cyberun/config.json}.
 */
final class Config {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    final Path file;
    final ObjectNode values;

    private Config(Path file, ObjectNode values) {
        this.file = file;
        this.values = values;
    }

    static Path location() {
        String explicit = System.getenv("CYBERUN_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("cyberun").resolve("config.json");
    }

    static Config load() {
        Path file = location();
        if (!Files.exists(file)) {
            return new Config(file, JSON.createObjectNode());
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return new Config(file, node instanceof ObjectNode o ? o : JSON.createObjectNode());
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot read " + file + ": " + e.getMessage(),
                    "fix or delete that file, then run cyberun login again");
        }
    }

    String get(String key) {
        JsonNode v = values.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** Writes the file with mode 0600 from the start (a temporary file moved into place), never world-readable. */
    void save() {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            Path tmp = posix ? Files.createTempFile(dir, ".config", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                    : Files.createTempFile(dir, ".config", ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(values) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (posix) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot write " + file + ": " + e.getMessage(),
                    "set CYBERUN_CONFIG to a file in a folder you can write");
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, "cannot delete " + file + ": " + e.getMessage(), "delete it by hand");
        }
    }
}
