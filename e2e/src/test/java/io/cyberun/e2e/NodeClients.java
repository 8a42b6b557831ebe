package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node programs in {@code e2e/clients} (independent MCP clients, a headless-browser driver), installed with
 * {@code npm ci} from their lock file, which also pins the Node 22 they run on.
 */
final class NodeClients {
    static final Path DIR = Path.of("clients").toAbsolutePath();
    static final Path NODE = DIR.resolve("node_modules/node/bin/node");

    record Run(int exit, String stdout, String stderr) {
        String describe() {
            return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }

        /** The JSON summary the scripts print as their last line. */
        com.fasterxml.jackson.databind.JsonNode summary() throws Exception {
            String[] lines = stdout.strip().split("\n");
            return WalkingSkeletonIT.json(lines[lines.length - 1]);
        }
    }

    private NodeClients() {
    }

    /** {@code npm ci}, once per checkout (or again when the lock changes). */
    static synchronized void install() throws Exception {
        Path lock = DIR.resolve("package-lock.json");
        Path installed = DIR.resolve("node_modules/.package-lock.json");
        if (Files.isExecutable(NODE) && Files.exists(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        System.out.println("[e2e] npm ci in " + DIR + " (MCP Inspector, MCP TypeScript SDK, puppeteer-core, Redocly, Ajv, openapi-typescript, Node 22)");
        Run npm;
        try {
            npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 600);
        } catch (IOException e) {
            throw new IllegalStateException("npm is not installed: install Node 20+ with npm (Debian: apt-get install nodejs npm)", e);
        }
        assertThat(npm.exit()).as("npm ci failed; it needs the npm registry:\n" + npm.describe()).isZero();
        assertThat(NODE).as("the node@22 package put its binary in place").isExecutable();
    }

    /** Runs a Node script of the directory with Node 22. */
    static Run node(List<String> args, Map<String, String> env, int timeoutSeconds) throws Exception {
        return run(java.util.stream.Stream.concat(java.util.stream.Stream.of(NODE.toString()), args.stream()).toList(), env, timeoutSeconds);
    }

    /** Runs a command in the directory with these extra environment variables. */
    static Run run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile("node-client", ".out");
        Path err = Files.createTempFile("node-client", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s; stderr: " + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
