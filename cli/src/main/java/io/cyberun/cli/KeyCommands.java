package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cyberun keys}: the team's credentials. The API lets only a signed-in user manage them (a stolen device key must
 * not be able to mint keys that outlive its revocation), so these commands need {@code CYBERUN_TOKEN} and
 * {@code CYBERUN_TEAM_ID}; with a device or integration key they say so before calling.
 */
@Command(name = "keys", description = {"Creates, lists and revokes the team's API keys (sk-) and agent keys (ak-).",
        "Needs a user's access token: export CYBERUN_TOKEN=<token> CYBERUN_TEAM_ID=<team>."},
        subcommands = {KeyCommands.Create.class, KeyCommands.ListKeys.class, KeyCommands.Revoke.class})
final class KeyCommands extends CommandGroup {
    static Api userApi() {
        Api api = Cyberun.api();
        if (!api.isUserToken()) {
            throw new CliException(CliException.NOT_ALLOWED, "managing keys needs a signed-in user; the " + api.bearerPrefix()
                    + " key in use may not (a device key could otherwise mint keys that outlive its revocation)",
                    "export CYBERUN_TOKEN=<your access token> CYBERUN_TEAM_ID=<team id>, or use the dashboard");
        }
        return api;
    }

    @Command(name = "create", description = "Creates a key and prints its secret, once.")
    static final class Create implements Runnable {
        @Option(names = "--name", required = true, description = "A name your team sees, e.g. \"ci pipeline\"")
        String name;
        @Option(names = "--kind", defaultValue = "integration", description = "integration (sk-, for scripts and MCP) or agent (ak-)")
        String kind;
        @Option(names = "--role", description = "For integration keys: admin, member (default) or viewer")
        String role;
        @Option(names = "--expires-in-days", description = "1-365; without it the key lives until revoked")
        Integer expiresInDays;

        @Override
        public void run() {
            ObjectNode body = Config.JSON.createObjectNode().put("kind", kind).put("display_name", name);
            if (role != null) {
                body.put("role", role);
            }
            if (expiresInDays != null) {
                body.put("expires_in_days", expiresInDays);
            }
            JsonNode created = userApi().post("/api/v1/credentials", body);
            if (Out.json) {
                Out.json(created);
                return;
            }
            Out.line(created.path("raw_key").asText());
            Out.say("key " + Out.text(created, "id") + " (" + Out.text(created, "key_prefix") + "...): the secret above is shown only now; keep it safe");
        }
    }

    @Command(name = "list", description = "Lists the team's keys (prefixes only; secrets are never shown again).")
    static final class ListKeys implements Runnable {
        @Option(names = "--kind", description = "integration, agent or device")
        String kind;

        @Override
        public void run() {
            JsonNode list = userApi().get("/api/v1/credentials" + Api.query(new java.util.LinkedHashMap<>(java.util.Collections.singletonMap("kind", kind))));
            if (Out.json) {
                Out.json(list);
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode c : list.path("credentials")) {
                rows.add(List.of(Out.text(c, "id"), Out.text(c, "kind"), Out.text(c, "display_name"), Out.text(c, "key_prefix"),
                        Out.text(c, "key_status"), Out.text(c, "last_used_at"), Out.text(c, "expires_at")));
            }
            Out.table(List.of("ID", "KIND", "NAME", "PREFIX", "STATUS", "LAST USED", "EXPIRES"), rows);
        }
    }

    @Command(name = "revoke", description = "Revokes a key at once, on every gateway.")
    static final class Revoke implements Runnable {
        @Parameters(paramLabel = "ID", description = "The key's id (from keys list), not its secret")
        String id;

        @Override
        public void run() {
            if (id.startsWith("sk-") || id.startsWith("ak-") || id.startsWith("dk-")) {
                throw CliException.usage("give the key's id, not its secret or prefix", "find the id with cyberun keys list");
            }
            userApi().delete("/api/v1/credentials/" + Api.segment(id));
            Out.line("revoked " + id);
        }
    }
}
