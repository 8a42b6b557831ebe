package io.cyberun.agent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.cyberun.agent.config.AgentConfig;
import io.cyberun.contracts.task.ProgressInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code exec} runtime: runs a command the agent's operator configured (the workflow only names it, so the
 * platform cannot make an agent run anything else). Arguments are passed as an argv, never through a shell;
 * {@code {{key}}} in them becomes the parameter's value, or for a {@code file} parameter the path of the downloaded
 * file. The process also gets every parameter as {@code CYBERUN_PARAM_<KEY>} (file parameters: the local path, also
 * in {@code CYBERUN_INPUT_<KEY>}), all of them as JSON in {@code CYBERUN_PARAMETERS}, and its output folder in
 * {@code CYBERUN_OUTPUT_DIR}. A line {@code CYBERUN_PROGRESS <0..1> [<step>/<total>] [message]} on stdout
 * reports progress, a line {@code CYBERUN_PREVIEW <image file>} (PNG, JPEG or WebP, by its extension; relative to the
 * command's folder) shows that image as the task's live preview; every other line is a log line.
 * <p>
 * A placeholder inside a script handed to a shell ({@code bash -c "... {{key}} ..."}) becomes part of that script:
 * operators who use a shell pass values as separate arguments ({@code "$1"}) or read {@code CYBERUN_PARAM_*}.
 */
public final class ExecRuntime implements TaskRuntime {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    static final Pattern PROGRESS = Pattern.compile("^CYBERUN_PROGRESS\\s+([0-9]*\\.?[0-9]+)(?:\\s+(\\d+)/(\\d+))?(?:\\s+(.*))?$");
    static final Pattern PREVIEW = Pattern.compile("^CYBERUN_PREVIEW\\s+(.+)$");

    private final AgentConfig config;

    public ExecRuntime(AgentConfig config) {
        this.config = config;
    }

    @Override
    public String toolType() {
        return "exec";
    }

    @Override
    public RunOutcome run(TaskContext ctx) throws Exception {
        String name = ctx.spec().workflowJson() == null ? null : ctx.spec().workflowJson().path("command").asText(null);
        AgentConfig.ExecCommand command = name == null ? null : config.runtimes.exec.commands.get(name);
        if (command == null || command.command.isEmpty()) {
            return RunOutcome.failed("this agent has no exec command named '" + name
                    + "'; add it under runtimes.exec.commands in the agent's config file");
        }
        JsonNode params = withLocalInputs(ctx.spec().parameters(), ctx.inputs());
        List<String> argv = command.command.stream().map(arg -> substitute(arg, params)).toList();
        ProcessBuilder builder = new ProcessBuilder(supervised(argv)).directory(config.baseDir.toFile());
        Map<String, String> env = builder.environment();
        env.put("CYBERUN_TASK_ID", ctx.taskId().toString());
        env.put("CYBERUN_ATTEMPT", Integer.toString(ctx.attempt()));
        env.put("CYBERUN_OUTPUT_DIR", ctx.outputDir().toString());
        env.put("CYBERUN_PARAMETERS", ctx.spec().parameters() == null ? "{}" : ctx.spec().parameters().toString());
        ctx.inputs().forEach((key, path) -> env.put("CYBERUN_INPUT_" + key.toUpperCase(Locale.ROOT), path.toString()));
        if (params != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                env.put("CYBERUN_PARAM_" + p.getKey().toUpperCase(Locale.ROOT), text(p.getValue()));
            }
        }
        env.putAll(command.env);
        ctx.log("agent", "running " + String.join(" ", argv));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return RunOutcome.failed("command '" + name + "' could not start: " + e.getMessage());
        }
        Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), "stdout", ctx, config.baseDir));
        Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), "stderr", ctx, config.baseDir));
        int limit = command.timeoutSeconds > 0 ? command.timeoutSeconds : ctx.spec().taskTimeout();
        Instant deadline = limit > 0 ? Instant.now().plusSeconds(limit) : Instant.MAX;
        while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
            if (ctx.cancelled()) {
                kill(process);
                return RunOutcome.failed("cancelled");
            }
            if (Instant.now().isAfter(deadline)) {
                kill(process);
                return RunOutcome.failed("command '" + name + "' ran longer than " + limit + " s and was stopped");
            }
        }
        out.join(Duration.ofSeconds(5));
        err.join(Duration.ofSeconds(5));
        int code = process.exitValue();
        return code == 0 ? RunOutcome.ok() : RunOutcome.failed("command '" + name + "' exited with code " + code);
    }

    /** The parameters with each file parameter's storage key replaced by the downloaded file's path. */
    static JsonNode withLocalInputs(JsonNode params, Map<String, java.nio.file.Path> inputs) {
        if (inputs.isEmpty() || params == null || !params.isObject()) {
            return params;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) params).deepCopy();
        inputs.forEach((key, path) -> copy.put(key, path.toString()));
        return copy;
    }

    /**
     * Runs the command under a small bash supervisor that holds the pipe from the agent on its standard input: if the
     * agent dies (even by SIGKILL) the pipe closes and the supervisor stops the command's whole process group, so a
     * task whose agent is gone does not go on running while the platform retries it elsewhere. Without bash and
     * setsid (not Linux), the command runs directly.
     */
    static List<String> supervised(List<String> argv) {
        if (SUPERVISOR_TOOLS == null) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(List.of(SUPERVISOR_TOOLS, "-c", SUPERVISOR, "cyberun-supervisor"));
        wrapped.addAll(argv);
        return wrapped;
    }

    static final String SUPERVISOR = """
            exec 3<&0 </dev/null
            setsid "$@" 3<&- &
            child=$!
            { cat <&3 >/dev/null 2>&1; kill -TERM -- "-$child" 2>/dev/null; sleep 5; kill -KILL -- "-$child" 2>/dev/null; } &
            watcher=$!
            exec 3<&-
            trap 'kill -TERM -- "-$child" 2>/dev/null' TERM INT
            wait "$child"
            code=$?
            kill "$watcher" 2>/dev/null
            exit $code
            """;
    /** bash's path when bash and setsid are both there, else null. */
    static final String SUPERVISOR_TOOLS = onPath("setsid") != null ? onPath("bash") : null;

    /** The program's path on PATH, or null. */
    static String onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            java.nio.file.Path candidate = java.nio.file.Path.of(dir, program);
            if (java.nio.file.Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    static String substitute(String arg, JsonNode params) {
        Matcher m = PLACEHOLDER.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode value = params == null ? null : params.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null || value.isNull() ? "" : text(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A progress line, or {@code null} when the line is an ordinary log line. */
    static ProgressInfo progressOf(String line) {
        Matcher m = PROGRESS.matcher(line.strip());
        if (!m.matches()) {
            return null;
        }
        Integer step = m.group(2) == null ? null : Integer.valueOf(m.group(2));
        Integer total = m.group(3) == null ? null : Integer.valueOf(m.group(3));
        return new ProgressInfo(Double.parseDouble(m.group(1)), null, step, total, null, m.group(4));
    }

    static void pump(InputStream stream, String name, TaskContext ctx, Path baseDir) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                ProgressInfo progress = "stdout".equals(name) ? progressOf(line) : null;
                Matcher preview = "stdout".equals(name) ? PREVIEW.matcher(line.strip()) : null;
                if (progress != null) {
                    ctx.progress(progress);
                } else if (preview != null && preview.matches()) {
                    preview(baseDir.resolve(preview.group(1).strip()), ctx);
                } else {
                    ctx.log(name, line);
                }
            }
        } catch (IOException e) {
            // the process ended; nothing more to read
        }
    }

    /** Shows the image file as the task's preview; one the agent cannot use is named in the log instead. */
    static void preview(Path file, TaskContext ctx) {
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = lower.endsWith(".png") ? "image/png" : lower.endsWith(".jpg") || lower.endsWith(".jpeg") ? "image/jpeg"
                : lower.endsWith(".webp") ? "image/webp" : null;
        if (type == null) {
            ctx.log("agent", "preview " + file + " skipped: only .png, .jpg and .webp files are shown");
            return;
        }
        try {
            long size = java.nio.file.Files.size(file);
            if (size > io.cyberun.contracts.task.PreviewInfo.MAX_BYTES) {
                ctx.log("agent", "preview " + file + " skipped: " + size / 1024 + " KB is more than "
                        + io.cyberun.contracts.task.PreviewInfo.MAX_BYTES / 1024 + " KB");
                return;
            }
            ctx.preview(type, null, java.nio.file.Files.readAllBytes(file));
        } catch (IOException e) {
            ctx.log("agent", "preview " + file + " could not be read: " + e.getMessage());
        }
    }

    /**
     * SIGTERM once (the supervisor relays it to the command's process group; without one, to every process of the
     * tree), then SIGKILL to whatever is still alive after 5 s.
     */
    static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        if (SUPERVISOR_TOOLS == null) {
            tree.forEach(ProcessHandle::destroy);
        }
        process.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && (process.isAlive() || tree.stream().anyMatch(ProcessHandle::isAlive))) {
            Thread.sleep(100);
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String text(JsonNode value) {
        return value.isTextual() ? value.textValue() : value.toString();
    }
}
