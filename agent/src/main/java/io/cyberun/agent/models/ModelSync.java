package io.cyberun.agent.models;

import io.cyberun.agent.AgentLog;
import io.cyberun.contracts.agent.AgentStatus;
import io.cyberun.contracts.files.ModelManifest;
import io.cyberun.contracts.protocol.AgentMessage;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Brings the model cache in line with the team's manifest, one sync at a time on a thread of its own: downloads what
 * the cache lacks, reporting {@code syncing} with the share done (no tasks come meanwhile), then reports the models
 * it has, which lets tasks provisioning on this agent go ahead.
 */
public final class ModelSync {
    private final ModelStore models;
    private final Consumer<AgentMessage> send;
    /** The status to report once not syncing, and the standing health problem (or null). */
    private final Supplier<AgentStatus> readyStatus;
    private final Supplier<String> unhealthy;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("agent-model-sync").unstarted(r));

    public ModelSync(ModelStore models, Consumer<AgentMessage> send, Supplier<AgentStatus> readyStatus, Supplier<String> unhealthy) {
        this.models = models;
        this.send = send;
        this.readyStatus = readyStatus;
        this.unhealthy = unhealthy;
    }

    /** Syncs to this manifest after any sync already under way. */
    public void requested(List<ModelManifest.Entry> manifest) {
        thread.submit(() -> sync(manifest));
    }

    public List<String> present() {
        return models.present();
    }

    public void stop() {
        thread.shutdownNow();
    }

    private void sync(List<ModelManifest.Entry> manifest) {
        try {
            List<ModelManifest.Entry> missing = models.missing(manifest);
            if (missing.isEmpty()) {
                send.accept(new AgentMessage.StatusUpdate(readyStatus.get(), null, unhealthy.get(), null, models.present()));
                return;
            }
            AgentLog.info("syncing %d model(s) into %s", missing.size(), models.dir());
            send.accept(new AgentMessage.StatusUpdate(AgentStatus.SYNCING, "downloading", "Downloading " + missing.size() + " model(s)", 0.0));
            long[] last = {System.nanoTime()};
            ModelStore.Result result = models.sync(manifest, (detail, percent) -> {
                if (System.nanoTime() - last[0] >= 1_000_000_000L) {
                    last[0] = System.nanoTime();
                    send.accept(new AgentMessage.StatusUpdate(AgentStatus.SYNCING, "downloading", detail, Math.floor(percent * 10) / 10));
                }
            });
            result.problems().forEach(p -> AgentLog.warn("model %s", p));
            AgentLog.info("model sync done: %d model(s) present%s", result.present().size(),
                    result.problems().isEmpty() ? "" : ", " + result.problems().size() + " failed");
            String detail = result.problems().isEmpty() ? unhealthy.get() : "model sync failed for " + result.problems();
            send.accept(new AgentMessage.StatusUpdate(readyStatus.get(), null, detail, null, models.present()));
        } catch (RuntimeException e) {
            AgentLog.warn("model sync failed: %s", e.toString());
            send.accept(new AgentMessage.StatusUpdate(readyStatus.get(), null, "model sync failed: " + e.getMessage(), null, models.present()));
        }
    }
}
