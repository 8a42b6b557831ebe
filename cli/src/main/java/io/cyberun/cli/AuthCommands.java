package io.cyberun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Signing in and out by device pairing, and who the stored credential is. */
final class AuthCommands {
    private AuthCommands() {
    }

    @Command(name = "login", description = {"Signs this machine in by device pairing: shows a code that a member of your team confirms,",
            "then stores the device key (dk-) and its agent key (ak-) in your config, readable by you only."})
    static final class Login implements Runnable {
        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop waiting after this long (default: until the code expires)")
        Integer timeout;

        @Override
        public void run() {
            Config config = Config.load();
            String server = Api.server(Cyberun.serverOption, config);
            Api anonymous = Api.anonymous(server);
            JsonNode started = anonymous.post("/api/v1/desktop/pair/start", null);
            String code = started.path("user_code").asText();
            int expiresIn = started.path("expires_in").asInt(300);
            int interval = Math.max(1, started.path("interval").asInt(2));
            Out.say("To sign in, confirm this code as a member of your team (it expires in " + (expiresIn / 60) + " min):");
            Out.say("");
            Out.say("    " + code);
            Out.say("");
            Out.say("  open " + started.path("verification_uri").asText());
            Out.say("  or, signed in elsewhere: POST " + server + "/api/v1/desktop/pair/confirm {\"user_code\": \"" + code + "\"}"
                    + " with your access token and X-Team-ID");
            Out.say("waiting for the confirmation...");
            ObjectNode poll = Config.JSON.createObjectNode().put("device_code", started.path("device_code").asText());
            Instant until = Instant.now().plusSeconds(timeout != null ? Math.min(timeout, expiresIn) : expiresIn);
            JsonNode approved;
            while (true) {
                JsonNode answer;
                try {
                    answer = anonymous.post("/api/v1/desktop/pair/poll", poll);
                } catch (CliException e) {
                    if (e.exitCode() == CliException.REFUSED) {
                        throw new CliException(CliException.TIMED_OUT, "the pairing expired before it was confirmed", "run cyberun login again");
                    }
                    throw e;
                }
                if ("approved".equals(answer.path("status").asText())) {
                    approved = answer;
                    break;
                }
                if (Instant.now().plusSeconds(interval).isAfter(until)) {
                    throw new CliException(CliException.TIMED_OUT, "nobody confirmed code " + code + " in time", "run cyberun login again");
                }
                sleep(Duration.ofSeconds(interval));
            }
            config.values.put("server", server);
            config.values.put("api_key", approved.path("raw_key").asText());
            config.values.put("agent_key", approved.path("agent_key").asText());
            config.save();
            JsonNode me = new Api(server, approved.path("raw_key").asText(), null).get("/api/v1/me");
            config.values.put("team_id", me.path("team_id").asText());
            config.save();
            if (Out.json) {
                Out.json(me);
                return;
            }
            Out.line("signed in to team " + me.path("team_id").asText() + " as " + me.path("subject").asText() + " (" + me.path("role").asText() + ")");
            Out.say("the device key and its agent key are in " + config.file + " (mode 0600); cyberun logout revokes both");
        }
    }

    @Command(name = "logout", description = "Revokes this machine's device key (and its agent key) and forgets it.")
    static final class Logout implements Runnable {
        @Override
        public void run() {
            if (System.getenv("CYBERUN_API_KEY") != null || System.getenv("CYBERUN_TOKEN") != null) {
                throw CliException.usage("logout revokes the key cyberun login stored, but CYBERUN_API_KEY or CYBERUN_TOKEN is set",
                        "unset it (revoke an sk- key with cyberun keys revoke)");
            }
            Config config = Config.load();
            if (config.get("api_key") == null) {
                Out.say("not signed in: nothing to do");
                return;
            }
            Api api = Cyberun.api();
            try {
                api.post("/api/v1/auth/device/revoke", null);
                Out.say("revoked the device key and its agent key");
            } catch (CliException e) {
                if (e.exitCode() != CliException.NOT_ALLOWED) {
                    throw e;
                }
                Out.say("the key was already revoked or expired");
            }
            config.delete();
            Out.line("signed out");
        }
    }

    @Command(name = "whoami", description = "Shows the server, the credential in use, its team and role.")
    static final class Whoami implements Runnable {
        @Override
        public void run() {
            Api api = Cyberun.api();
            JsonNode me = api.get("/api/v1/me");
            if (Out.json) {
                Out.json(((ObjectNode) me.deepCopy()).put("server", api.server));
                return;
            }
            Out.table(List.of("SERVER", "CREDENTIAL", "KIND", "SUBJECT", "TEAM", "ROLE"), List.of(List.of(api.server, api.bearerPrefix(),
                    Out.text(me, "kind"), Out.text(me, "subject"), Out.text(me, "team_id"), Out.text(me, "role"))));
        }
    }

    @Command(name = "teams", description = "Lists your teams (a user token), or the team of the key in use.")
    static final class Teams implements Runnable {
        @Override
        public void run() {
            Api api = Cyberun.api();
            if (!api.isUserToken()) {
                JsonNode me = api.get("/api/v1/me");
                if (Out.json) {
                    Out.json(Config.JSON.createObjectNode().set("team_list", Config.JSON.createArrayNode().add(
                            Config.JSON.createObjectNode().put("id", Out.text(me, "team_id")).put("member_role", Out.text(me, "role")))));
                    return;
                }
                Out.table(List.of("TEAM", "ROLE"), List.of(List.of(Out.text(me, "team_id"), Out.text(me, "role"))));
                Out.say("a key belongs to one team; sign in to another team with cyberun login");
                return;
            }
            JsonNode teams = api.get("/api/v1/teams");
            if (Out.json) {
                Out.json(teams);
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode t : teams.path("team_list")) {
                rows.add(List.of(Out.text(t, "id"), Out.text(t, "display_name"), Out.text(t, "member_role")));
            }
            Out.table(List.of("TEAM", "NAME", "ROLE"), rows);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNAVAILABLE, "interrupted", null);
        }
    }
}
