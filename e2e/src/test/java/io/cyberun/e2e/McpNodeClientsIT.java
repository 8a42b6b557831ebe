package io.cyberun.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MCP endpoint through clients that share no code with this project: the MCP Inspector's CLI and a script on the
 * official TypeScript SDK ({@code e2e/clients}, see {@link NodeClients}), against the gateway of the live stack.
 */
@ExtendWith(SharedStack.class)
class McpNodeClientsIT {
    static CyberunStack stack;
    static TeamFixture team;

    @BeforeAll
    static void start() throws Exception {
        NodeClients.install();
        stack = CyberunStack.shared();
        team = new TeamFixture(stack, "MCP Node clients", stack.workflowJson());
        stack.agent(new CyberunStack.AgentOptions("mcp-node-agent", team.ak(), "exec, demo, cpu").env("DEMO_STEP_SECONDS", "0.2"));
    }

    static NodeClients.Run inspector(String key, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node_modules/.bin/mcp-inspector", "--cli",
                stack.gateway.url() + "/api/v1/mcp", "--transport", "http", "--stored-auth-only", "--header", "Authorization: Bearer " + key));
        command.addAll(List.of(args));
        return NodeClients.node(command, Map.of(), 120);
    }

    @Test
    void theInspectorListsTheFifteenToolsAndCallsListWorkflows() throws Exception {
        NodeClients.Run list = inspector(team.sk(), "--method", "tools/list", "--format", "json");
        assertThat(list.exit()).as(list.describe()).isZero();
        JsonNode tools = WalkingSkeletonIT.json(list.stdout()).path("result").path("tools");
        List<String> names = new ArrayList<>();
        tools.forEach(t -> names.add(t.path("name").asText()));
        assertThat(names).containsExactlyInAnyOrderElementsOf(McpIT.TOOLS);
        tools.forEach(t -> assertThat(t.path("inputSchema").path("type").asText()).as(t.path("name").asText()).isEqualTo("object"));

        NodeClients.Run call = inspector(team.sk(), "--method", "tools/call", "--tool-name", "list_workflows", "--tool-arg", "per_page=5", "--format", "json");
        assertThat(call.exit()).as(call.describe()).isZero();
        JsonNode result = WalkingSkeletonIT.json(call.stdout()).path("result");
        assertThat(result.path("isError").asBoolean(false)).as(call.stdout()).isFalse();
        assertThat(result.path("structuredContent").path("workflow_list").get(0).path("workflow_slug").asText()).isEqualTo("demo-render");
        assertThat(result.path("content").get(0).path("text").asText()).contains("demo-render");
    }

    @Test
    void theInspectorReadsTheWorkflowCatalogAndPresignsWithTheSkillsArgumentShape() throws Exception {
        NodeClients.Run resources = inspector(team.sk(), "--method", "resources/list", "--format", "json");
        assertThat(resources.exit()).as(resources.describe()).isZero();
        assertThat(WalkingSkeletonIT.json(resources.stdout()).path("result").path("resources")).extracting(r -> r.path("uri").asText())
                .contains("cyberun://workflows");
        NodeClients.Run read = inspector(team.sk(), "--method", "resources/read", "--uri", "cyberun://workflows/demo-render", "--format", "json");
        assertThat(read.exit()).as(read.describe()).isZero();
        JsonNode workflow = WalkingSkeletonIT.json(WalkingSkeletonIT.json(read.stdout()).path("result").path("contents").get(0).path("text").asText());
        assertThat(workflow.path("workflow_slug").asText()).isEqualTo("demo-render");
        assertThat(workflow.path("parameters")).extracting(p -> p.path("key").asText()).contains("prompt");

        NodeClients.Run presign = inspector(team.sk(), "--method", "tools/call", "--tool-name", "presign_file_upload", "--tool-arg",
                "body={\"file_name\": \"photo.png\", \"file_size\": 1234, \"content_type\": \"image/png\"}", "--format", "json");
        assertThat(presign.exit()).as(presign.describe()).isZero();
        JsonNode result = WalkingSkeletonIT.json(presign.stdout()).path("result");
        assertThat(result.path("isError").asBoolean(false)).as(presign.stdout()).isFalse();
        assertThat(result.path("structuredContent").path("file_key").asText()).isNotBlank();
    }

    @Test
    void theInspectorIsToldToAuthenticateWithoutAValidKeyAndSeesToolErrorsAsErrors() throws Exception {
        NodeClients.Run refused = inspector("sk-not-a-real-key", "--method", "tools/list", "--format", "json");
        assertThat(refused.exit()).as("exit 3 is the Inspector's 'authentication required'\n" + refused.describe()).isEqualTo(3);

        NodeClients.Run missing = inspector(team.sk(), "--method", "tools/call", "--tool-name", "get_task", "--tool-arg",
                "task_id=00000000-0000-0000-0000-000000000000", "--format", "json");
        assertThat(missing.exit()).as("exit 5 is the Inspector's 'tool returned isError'\n" + missing.describe()).isEqualTo(5);
        assertThat(missing.stdout() + missing.stderr()).contains("not found");
    }

    @Test
    void theTypeScriptSdkRunsAWorkflowBySlugFollowsItsProgressAndDownloadsTheOutput() throws Exception {
        List<String> command = List.of("run-workflow.mjs", "demo-render", "{\"prompt\":\"hello from node\",\"steps\":3}");
        // The URL and key come from the environment, as a user would set them.
        NodeClients.Run script = NodeClients.node(command, Map.of("CYBERUN_MCP_URL", stack.gateway.url() + "/api/v1/mcp", "CYBERUN_API_KEY", team.sk()), 240);
        assertThat(script.exit()).as(script.describe()).isZero();
        JsonNode summary = script.summary();
        assertThat(summary.path("server").path("name").asText()).isEqualTo("cyberun-cloud");
        assertThat(summary.path("protocol_version").asText()).isEqualTo("2025-11-25");
        assertThat(summary.path("status").asText()).isEqualTo("completed");
        List<String> messages = new ArrayList<>();
        summary.path("progress_messages").forEach(m -> messages.add(m.asText()));
        assertThat(messages).as("at least one notification for every state the task passed through").contains("status: pending", "completed")
                .anySatisfy(m -> assertThat(m).startsWith("status: queued"))
                .anySatisfy(m -> assertThat(m).startsWith("status: running"))
                .anySatisfy(m -> assertThat(m).startsWith("running: ").contains("step"));
        List<Double> values = new ArrayList<>();
        summary.path("progress_values").forEach(v -> values.add(v.asDouble()));
        assertThat(values).isSorted().doesNotHaveDuplicates();
        assertThat(summary.path("downloads").path("prompt.txt").asText()).contains("hello from node");
    }
}
