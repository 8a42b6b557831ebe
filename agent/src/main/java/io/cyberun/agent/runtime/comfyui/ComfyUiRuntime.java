package io.cyberun.agent.runtime.comfyui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cyberun.agent.runtime.RunOutcome;
import io.cyberun.agent.runtime.TaskContext;
import io.cyberun.agent.runtime.TaskRuntime;
import io.cyberun.contracts.agent.GpuDevice;
import io.cyberun.contracts.agent.SystemStats;
import io.cyberun.contracts.task.ParameterDef;
import io.cyberun.contracts.task.ParameterType;
import io.cyberun.contracts.task.ProgressInfo;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The {@code comfyui} runtime: drives the ComfyUI next to the agent through its API. The workflow's
 * {@code workflow_json} is a graph in ComfyUI's API format; each parameter with {@code node_id}/{@code field} is
 * written into that node's inputs (file parameters are uploaded to ComfyUI first and their name written). The graph
 * is queued with {@code POST /prompt}; progress comes from the {@code /ws} events of the agent's client id, with
 * {@code /history} polled as well so a missed event cannot hang a task; outputs of type {@code output} are fetched
 * with {@code /view}. Cancel and timeouts remove the prompt from the queue and interrupt it.
 */
public final class ComfyUiRuntime implements TaskRuntime {
    static final Duration POLL = Duration.ofMillis(500);
    static final Duration HISTORY_EVERY = Duration.ofSeconds(2);
    /** The client id of every prompt the agent queues starts with this. */
    static final String CLIENT_PREFIX = "cyberun-";

    private final ComfyUiClient client;

    public ComfyUiRuntime(HttpClient http, ObjectMapper json, String url) {
        this.client = new ComfyUiClient(http, json, url);
    }

    @Override
    public String toolType() {
        return "comfyui";
    }

    @Override
    public String healthProblem() {
        try {
            client.systemStats();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "ComfyUI at " + client.base() + " does not answer /system_stats: " + ComfyUiMessages.message(e);
        }
    }

    /** Removes prompts an earlier run of an agent queued (client ids {@code cyberun-*}): their tasks were given away. */
    @Override
    public void recover() {
        try {
            JsonNode queue = client.queue();
            for (String part : List.of("queue_pending", "queue_running")) {
                for (JsonNode item : queue.path(part)) {
                    String promptId = item.path(1).asText("");
                    if (item.path(3).path("client_id").asText("").startsWith(CLIENT_PREFIX) && !promptId.isEmpty()) {
                        io.cyberun.agent.AgentLog.info("removing prompt %s an earlier run of the agent left in ComfyUI", promptId);
                        client.stop(promptId);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            io.cyberun.agent.AgentLog.warn("could not check ComfyUI's queue for abandoned prompts: %s", ComfyUiMessages.message(e));
        }
    }

    @Override
    public SystemStats describe(SystemStats machine) {
        try {
            JsonNode stats = client.systemStats();
            JsonNode system = stats.path("system");
            List<GpuDevice> gpus = machine.gpuDevices();
            if (gpus.isEmpty()) {
                gpus = new ArrayList<>();
                for (JsonNode d : stats.path("devices")) {
                    if (!"cpu".equals(d.path("type").asText())) {
                        gpus.add(new GpuDevice(d.path("name").asText(null), d.path("type").asText(null),
                                d.hasNonNull("vram_total") ? d.get("vram_total").asLong() : null,
                                d.hasNonNull("vram_free") ? d.get("vram_free").asLong() : null));
                    }
                }
            }
            return new SystemStats(system.path("comfyui_version").asText(null), system.path("pytorch_version").asText(null),
                    machine.osType(), machine.platformArch(), gpus);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return machine;
        } catch (Exception e) {
            return machine;
        }
    }

    @Override
    public RunOutcome run(TaskContext ctx) throws Exception {
        JsonNode definition = ctx.spec().workflowJson();
        String shape = ComfyUiMessages.graphProblem(definition);
        if (shape != null) {
            return RunOutcome.failed(shape);
        }
        ObjectNode graph = ((ObjectNode) definition).deepCopy();
        String injection = inject(graph, ctx);
        if (injection != null) {
            return RunOutcome.failed(injection);
        }
        String clientId = CLIENT_PREFIX + UUID.randomUUID();
        ComfyUiClient.Events events = null;
        try {
            try {
                events = client.events(clientId);
            } catch (Exception e) {
                ctx.log("agent", "ComfyUI's event stream is unavailable (" + ComfyUiMessages.message(e) + "); following the prompt through /history");
            }
            ComfyUiClient.Answer answer = client.queuePrompt(graph, clientId);
            if (answer.status() == 400) {
                return RunOutcome.failed("ComfyUI refused the graph: " + ComfyUiMessages.refusal(answer.body()));
            }
            String promptId = answer.body().path("prompt_id").asText("");
            if (answer.status() != 200 || promptId.isEmpty()) {
                return RunOutcome.failed("ComfyUI answered HTTP " + answer.status() + " to the prompt: " + answer.body());
            }
            ctx.log("agent", "ComfyUI queued the graph as prompt " + promptId);
            RunOutcome outcome = follow(ctx, graph, promptId, events);
            if (!outcome.success()) {
                return outcome;
            }
            return collect(ctx, promptId);
        } finally {
            if (events != null) {
                events.close();
            }
        }
    }

    /** Writes each targeted parameter into its node; null when every one found its node. */
    private String inject(ObjectNode graph, TaskContext ctx) throws Exception {
        JsonNode values = ctx.spec().parameters();
        for (ParameterDef def : ctx.spec().parameterDefs()) {
            if (def.nodeId() == null || def.field() == null) {
                continue;
            }
            JsonNode value = values == null ? null : values.get(def.key());
            if (value == null || value.isNull()) {
                continue;
            }
            JsonNode node = graph.get(def.nodeId());
            if (node == null) {
                return "parameter " + def.key() + " targets node " + def.nodeId() + ", which the graph does not have";
            }
            ObjectNode inputs = ((ObjectNode) node).with("inputs");
            if (def.type() == ParameterType.FILE) {
                Path local = ctx.inputs().get(def.key());
                if (local == null) {
                    return "the file for parameter " + def.key() + " was not downloaded";
                }
                String name = client.uploadImage(local, "cyberun/" + ctx.taskId());
                ctx.log("agent", "uploaded " + def.key() + " to ComfyUI as " + name);
                inputs.put(def.field(), name);
            } else {
                inputs.set(def.field(), value);
            }
        }
        return null;
    }

    private RunOutcome follow(TaskContext ctx, ObjectNode graph, String promptId, ComfyUiClient.Events events) throws Exception {
        int total = Math.max(1, graph.size());
        Set<String> done = new HashSet<>();
        String current = null;
        int limit = ctx.spec().taskTimeout();
        long deadline = limit > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(limit) : Long.MAX_VALUE;
        long nextHistory = System.nanoTime() + HISTORY_EVERY.toNanos();
        while (true) {
            if (ctx.cancelled()) {
                client.stop(promptId);
                return RunOutcome.failed("cancelled");
            }
            if (System.nanoTime() > deadline) {
                client.stop(promptId);
                return RunOutcome.failed("ComfyUI ran longer than " + limit + " s; the prompt was interrupted");
            }
            JsonNode event = null;
            if (events != null && (events.open() || !events.queue.isEmpty())) {
                event = events.queue.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                Thread.sleep(POLL.toMillis());
            }
            ComfyUiClient.Preview preview = events == null ? null : events.takePreview();
            if (preview != null) {
                ctx.preview(preview.contentType(), preview.nodeId() != null ? preview.nodeId() : current, preview.image());
            }
            boolean finished = false;
            JsonNode data = event == null ? null : event.path("data");
            if (data != null && promptId.equals(data.path("prompt_id").asText(null))) {
                switch (event.path("type").asText("")) {
                    case "execution_cached" -> data.path("nodes").forEach(n -> done.add(n.asText()));
                    case "executing" -> {
                        JsonNode node = data.get("node");
                        if (node == null || node.isNull()) {
                            finished = true;
                        } else {
                            if (current != null) {
                                done.add(current);
                            }
                            current = node.asText();
                            ctx.log("comfyui", "running node " + current + " (" + graph.path(current).path("class_type").asText("?") + ")");
                            ctx.progress(new ProgressInfo(Math.min(0.99, (double) done.size() / total), current, null, null, null, null));
                        }
                    }
                    case "progress" -> {
                        int value = data.path("value").asInt();
                        int max = Math.max(1, data.path("max").asInt(1));
                        String node = data.path("node").asText(current);
                        double overall = Math.min(0.99, (done.size() + (double) value / max) / total);
                        ctx.progress(new ProgressInfo(overall, node, value, max, null, null));
                    }
                    case "executed" -> done.add(data.path("node").asText());
                    case "execution_success" -> finished = true;
                    case "execution_error" -> {
                        return RunOutcome.failed(ComfyUiMessages.error(data));
                    }
                    case "execution_interrupted" -> {
                        return RunOutcome.failed("the prompt was interrupted in ComfyUI (node " + data.path("node_id").asText("?") + ")");
                    }
                    default -> {
                    }
                }
            }
            if (finished || System.nanoTime() > nextHistory) {
                nextHistory = System.nanoTime() + HISTORY_EVERY.toNanos();
                JsonNode entry = client.history(promptId).get(promptId);
                JsonNode status = entry == null ? null : entry.path("status");
                if (status != null && "error".equals(status.path("status_str").asText())) {
                    return RunOutcome.failed(ComfyUiMessages.historyError(status));
                }
                if (status != null && status.path("completed").asBoolean(false)) {
                    return RunOutcome.ok();
                }
                if (finished && entry != null && status.isMissingNode()) {
                    return RunOutcome.ok(); // a ComfyUI too old to report a status in its history
                }
            }
        }
    }

    /** Downloads every file the prompt produced with type {@code output} (previews are {@code temp} and skipped). */
    private RunOutcome collect(TaskContext ctx, String promptId) throws Exception {
        JsonNode entry = client.history(promptId).path(promptId);
        Path root = ctx.outputDir();
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> nodes = entry.path("outputs").fields(); nodes.hasNext(); ) {
            Map.Entry<String, JsonNode> node = nodes.next();
            for (Iterator<Map.Entry<String, JsonNode>> kinds = node.getValue().fields(); kinds.hasNext(); ) {
                Map.Entry<String, JsonNode> kind = kinds.next();
                int index = -1;
                for (JsonNode file : kind.getValue()) {
                    index++;
                    if (!file.isObject() || !file.path("filename").isTextual() || !"output".equals(file.path("type").asText("output"))) {
                        continue;
                    }
                    String subfolder = file.path("subfolder").asText("");
                    Path target = root.resolve(subfolder).resolve(file.path("filename").asText()).normalize();
                    if (!target.startsWith(root)) {
                        return RunOutcome.failed("ComfyUI named an output outside its folder: " + file);
                    }
                    client.download(file.path("filename").asText(), subfolder, "output", target);
                    // The notes key ComfyUI outputs by node.kind.index, e.g. 9.images.0.
                    ctx.outputId(root.relativize(target).toString().replace('\\', '/'), node.getKey() + "." + kind.getKey() + "." + index);
                    count++;
                }
            }
        }
        ctx.log("agent", "fetched " + count + " output file(s) from ComfyUI");
        return RunOutcome.ok();
    }
}
