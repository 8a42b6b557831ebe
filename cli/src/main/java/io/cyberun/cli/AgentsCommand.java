package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code cyberun agents}: the team's connected agents. */
@Command(name = "agents", description = "Lists the team's connected agents: status, labels, running tasks.")
final class AgentsCommand implements Runnable {
    @Override
    public void run() {
        JsonNode list = Cyberun.api().get("/api/v1/r/agents");
        if (Out.json) {
            Out.json(list);
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode a : list.path("agent_list")) {
            List<String> labels = new ArrayList<>();
            a.path("agent_labels").forEach(l -> labels.add(l.asText()));
            rows.add(List.of(Out.text(a, "agent_id"), Out.text(a, "agent_status"), a.path("running_count").asInt() + "/" + a.path("gpu_capacity").asInt(),
                    String.join(",", labels), Out.text(a, "agent_version"), Out.text(a, "last_heartbeat")));
        }
        Out.table(List.of("AGENT", "STATUS", "RUNNING", "LABELS", "VERSION", "LAST SEEN"), rows);
        if (rows.isEmpty()) {
            Out.say("no agents connected: start one with the agent key cyberun login stored (agent_key in " + Config.location() + ")");
        }
    }
}
