package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code cyberun} command line tool against the real stack, run as a user runs it (its jar in a process of its
 * own, its config in a folder of its own): sign in by device pairing (confirmed through the API as the team's owner),
 * run the demo workflow with a file, watch it, download the outputs and compare their hashes, cancel a waiting task,
 * and refuse bad input with a message and the documented exit code.
 */
@org.junit.jupiter.api.extension.ExtendWith(SharedStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    static CyberunStack stack;
    static TeamFixture team;
    @TempDir
    static Path home;

    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "CLI team", stack.workflowJson());
        stack.agent("cli-agent", team.ak(), "exec, demo, cpu");
    }

    @Test
    @Order(1)
    void aNewUserSignsInByPairingAndTheKeyIsStoredForThemOnly() throws Exception {
        Process login = cli(Map.of(), "login").start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(login.getInputStream()));
        // The code is shown on stderr while the command waits for someone to confirm it.
        String code = null;
        List<String> shown = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(login.getErrorStream(), StandardCharsets.UTF_8))) {
            Pattern codeLine = Pattern.compile("^\\s+([A-Z0-9]{4}-[A-Z0-9]{4})$");
            for (String line; (line = err.readLine()) != null && !line.startsWith("waiting for the confirmation"); ) {
                shown.add(line);
                Matcher m = codeLine.matcher(line);
                if (m.matches()) {
                    code = m.group(1);
                }
            }
            assertThat(code).as("the pairing code in %s", shown).isNotNull();
            assertThat(String.join("\n", shown)).contains("/desktop/pair");
            // The owner confirms it, signed in elsewhere (the dashboard does this call).
            TeamFixture.ok(team.asUser("alice", "POST", "/api/v1/desktop/pair/confirm", "{\"user_code\":\"" + code + "\"}"), 200);
            assertThat(login.waitFor(60, TimeUnit.SECONDS)).as("login ends once the code is confirmed").isTrue();
            String rest = read(login.getErrorStream());
            assertThat(login.exitValue()).as(rest).isZero();
        }
        assertThat(out.get(10, TimeUnit.SECONDS)).contains("signed in to team " + team.teamId).contains("owner");
        Path config = config();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        JsonNode stored = WalkingSkeletonIT.json(Files.readString(config));
        assertThat(stored.path("api_key").asText()).startsWith("dk-");
        assertThat(stored.path("agent_key").asText()).startsWith("ak-");

        JsonNode me = WalkingSkeletonIT.json(ok("whoami", "--json").out());
        assertThat(me.path("kind").asText()).isEqualTo("device");
        assertThat(me.path("team_id").asText()).isEqualTo(team.teamId);
    }

    @Test
    @Order(2)
    void aRunWithAFileIsWatchedToTheEndAndItsOutputsDownloadWithTheirHashes() throws Exception {
        Path input = home.resolve("notes.txt");
        Files.writeString(input, "a file for the demo workflow, " + System.nanoTime() + "\n");
        Result run = ok("run", "demo-render", "-p", "prompt=from the CLI", "-p", "steps=3", "-p", "color=orange", "-f", "attachment=" + input, "--watch");
        assertThat(run.err()).contains("uploading notes.txt").contains("running").contains("step 3/3");
        Matcher completed = Pattern.compile("task ([0-9a-f-]{36}) completed").matcher(run.out());
        assertThat(completed.find()).as(run.all()).isTrue();
        String task = completed.group(1);

        Path dir = home.resolve("outputs");
        Result download = ok("download", task, dir.toString());
        assertThat(download.err()).contains("3 file(s)");
        assertThat(sha256(dir.resolve("attachment-notes.txt"))).isEqualTo(sha256(input));
        assertThat(Files.readString(dir.resolve("prompt.txt"))).isEqualTo("from the CLI\n");
        assertThat(Files.readString(dir.resolve("card.svg"))).contains("#c2410c").contains("3 steps");

        JsonNode result = WalkingSkeletonIT.json(ok("tasks", "result", task, "--json").out());
        assertThat(result.path("status").asText()).isEqualTo("completed");
        assertThat(ok("tasks", "list").out()).contains(task).contains("completed");
    }

    @Test
    @Order(3)
    void aLargeFileGoesUpInPartsAndArrivesWhole() throws Exception {
        Path input = home.resolve("weights.bin");
        byte[] bytes = new byte[6 * 1024 * 1024 + 123];
        new Random(7).nextBytes(bytes);
        Files.write(input, bytes);
        Result run = run(Map.of("CYBERUN_MULTIPART_THRESHOLD", "1048576"), "run", "demo-render", "-p", "prompt=big", "-f", "attachment=" + input, "--watch");
        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.err()).contains("in 1 parts");
        String task = firstTaskId(run.out());
        Path dir = home.resolve("big");
        ok("download", task, dir.toString());
        assertThat(sha256(dir.resolve("attachment-weights.bin"))).isEqualTo(sha256(input));
    }

    @Test
    @Order(4)
    void aWaitingTaskIsCancelledAndItsWatchEndsWithExitCode1() throws Exception {
        // A workflow no agent can run: its task waits.
        Path definition = home.resolve("waits.json");
        Files.writeString(definition, stack.workflowJson().replace("\"workflow_slug\": \"demo-render\"", "\"workflow_slug\": \"waits\"")
                .replace("[\"exec\", \"demo\"]", "[\"exec\", \"no-agent-has-this\"]"));
        assertThat(ok("workflows", "import", definition.toString()).out()).contains("imported waits as version 1");
        String task = ok("run", "waits", "-p", "prompt=never").out().trim();
        assertThat(task).matches("[0-9a-f-]{36}");
        assertThat(ok("tasks", "cancel", task).out()).contains("cancelled");
        Result watch = run(Map.of(), "tasks", "watch", task);
        assertThat(watch.exit()).as(watch.all()).isEqualTo(1);
        assertThat(watch.out()).contains("was cancelled");
        Result download = run(Map.of(), "download", task);
        assertThat(download.exit()).isEqualTo(3);
        assertThat(download.err()).contains("is cancelled: there is nothing to download");
    }

    @Test
    @Order(5)
    void aWorkflowExportsAndImportsBackAsItsNextVersion() throws Exception {
        Path file = home.resolve("demo.json");
        ok("workflows", "export", "demo-render", "-o", file.toString());
        assertThat(WalkingSkeletonIT.json(Files.readString(file)).path("workflow_json").path("command").asText()).isEqualTo("demo-render");
        assertThat(ok("workflows", "import", file.toString()).out()).contains("imported demo-render as version 2");
        assertThat(ok("workflows", "list").out()).contains("demo-render").contains("waits");
        assertThat(ok("workflows", "get", "demo-render@1").out()).contains("attachment").contains("run it: cyberun run demo-render -p prompt=...");
    }

    @Test
    @Order(6)
    void badInputIsRefusedWithAMessageAndTheDocumentedExitCode() throws Exception {
        refused(2, "steps takes an integer", Map.of(), "run", "demo-render", "-p", "prompt=x", "-p", "steps=many");
        refused(2, "the workflow has no parameter colour", Map.of(), "run", "demo-render", "-p", "colour=red");
        refused(2, "cannot read", Map.of(), "run", "demo-render", "-p", "prompt=x", "-f", "attachment=" + home.resolve("missing.png"));
        refused(2, "Unknown option", Map.of(), "tasks", "list", "--colour");
        refused(3, "prompt: is required", Map.of(), "run", "demo-render", "-p", "steps=3");
        refused(3, "must be one of", Map.of(), "run", "demo-render", "-p", "prompt=x", "-p", "color=pink");
        refused(3, "workflow no-such-workflow not found", Map.of(), "run", "no-such-workflow");
        refused(3, "task not found", Map.of(), "tasks", "get", "00000000-0000-0000-0000-000000000000");
        refused(4, "not signed in", Map.of("CYBERUN_CONFIG", home.resolve("nobody.json").toString()), "agents");
        refused(4, "managing keys needs a signed-in user", Map.of(), "keys", "list");
        refused(5, "cannot reach the Cyberun gateway at http://127.0.0.1:1", Map.of(), "--server", "http://127.0.0.1:1", "agents");
    }

    @Test
    @Order(7)
    void keysAreManagedWithAUserTokenOnly() throws Exception {
        Map<String, String> user = Map.of("CYBERUN_TOKEN", team.token("alice"), "CYBERUN_TEAM_ID", team.teamId);
        Result created = run(user, "keys", "create", "--name", "from the cli", "--role", "viewer");
        assertThat(created.exit()).as(created.all()).isZero();
        String secret = created.out().trim();
        assertThat(secret).startsWith("sk-");
        JsonNode list = WalkingSkeletonIT.json(run(user, "keys", "list", "--kind", "integration", "--json").out());
        String id = null;
        for (JsonNode c : list.path("credentials")) {
            if (c.path("display_name").asText().equals("from the cli")) {
                id = c.path("id").asText();
            }
        }
        assertThat(id).isNotNull();
        // The new key works, as a viewer: it reads, it may not run.
        assertThat(run(Map.of("CYBERUN_API_KEY", secret), "agents").out()).contains("cli-agent");
        refused(4, "", Map.of("CYBERUN_API_KEY", secret), "run", "demo-render", "-p", "prompt=x");
        refused(2, "give the key's id, not its secret", user, "keys", "revoke", secret);
        assertThat(run(user, "keys", "revoke", id).exit()).isZero();
        refused(4, "", Map.of("CYBERUN_API_KEY", secret), "agents");
    }

    @Test
    @Order(8)
    void logoutRevokesTheDeviceKeyAndForgetsIt() throws Exception {
        String key = WalkingSkeletonIT.json(Files.readString(config())).path("api_key").asText();
        assertThat(ok("logout").out()).contains("signed out");
        assertThat(config()).doesNotExist();
        assertThat(WalkingSkeletonIT.call("GET", "/api/v1/me", key, null, Map.of()).statusCode()).isEqualTo(401);
        refused(4, "not signed in", Map.of(), "whoami");
    }

    // --- running the command ---

    static Path config() {
        return home.resolve("config").resolve("config.json");
    }

    static ProcessBuilder cli(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(ServiceProcess.java(), "-XX:TieredStopAtLevel=1", "-jar",
                stack.root.resolve("cli/target/cyberun-cli.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> e = pb.environment();
        List.of("CYBERUN_API_KEY", "CYBERUN_TOKEN", "CYBERUN_TEAM_ID", "CYBERUN_SERVER", "XDG_CONFIG_HOME").forEach(e::remove);
        e.put("CYBERUN_SERVER", stack.gateway.url());
        e.put("CYBERUN_CONFIG", config().toString());
        e.put("HOME", home.toString());
        e.putAll(env);
        return pb;
    }

    static Result run(Map<String, String> env, String... args) throws Exception {
        Process p = cli(env, args).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("cyberun %s ended", String.join(" ", args)).isTrue();
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    static Result ok(String... args) throws Exception {
        Result r = run(Map.of(), args);
        assertThat(r.exit()).as("cyberun %s: %s", String.join(" ", args), r.all()).isZero();
        return r;
    }

    static void refused(int exit, String message, Map<String, String> env, String... args) throws Exception {
        Result r = run(env, args);
        assertThat(r.exit()).as("exit code of cyberun %s: %s", String.join(" ", args), r.all()).isEqualTo(exit);
        assertThat(r.err()).contains("error: ").contains(message);
        assertThat(r.err()).as("what to do next").contains("next: ");
    }

    static String firstTaskId(String text) {
        Matcher m = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group();
    }

    static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
