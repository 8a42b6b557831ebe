package io.cyberun.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code cyberun}: the platform from a terminal or a script. */
@Command(name = "cyberun", mixinStandardHelpOptions = true, versionProvider = Cyberun.Version.class,
        description = "Runs workflows on your team's GPU agents, follows tasks live and fetches their outputs.",
        subcommands = {
                AuthCommands.Login.class, AuthCommands.Logout.class, AuthCommands.Whoami.class, AuthCommands.Teams.class,
                WorkflowCommands.class, RunCommand.class, TaskCommands.class, TaskCommands.Download.class,
                AgentsCommand.class, KeyCommands.class, Cyberun.Completion.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done", "  1  the task failed or was cancelled (--watch, tasks watch)", "  2  wrong command line",
                "  3  the platform refused the request (invalid input, not found)", "  4  not signed in, or not allowed",
                "  5  the platform cannot be reached or failed: try again", "  6  gave up waiting (--timeout, an expired pairing)",
                "", "Credentials: the key cyberun login stored, or CYBERUN_API_KEY (sk-/dk-), or CYBERUN_TOKEN with CYBERUN_TEAM_ID.",
                "Server: --server, CYBERUN_SERVER, the stored one, or " + Api.DEFAULT_SERVER + "."})
public class Cyberun extends CommandGroup {
    static final String VERSION = "0.1.0";

    static String serverOption;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "URL", description = "The gateway, e.g. https://cyberun.example.com")
    void server(String url) {
        serverOption = url;
    }

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the API's JSON instead of tables (for scripts)")
    void json(boolean json) {
        Out.json = json;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line; returns the exit code (the tests call this). */
    static int execute(String... args) {
        serverOption = null;
        Out.json = false;
        CommandLine cli = new CommandLine(new Cyberun());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliException c) {
                Out.say("error: " + c.getMessage());
                if (c.hint() != null) {
                    Out.say("next: " + c.hint());
                }
                return c.exitCode();
            }
            Out.say("error: " + e);
            Out.say("next: this is a bug in cyberun; run again with the same arguments and report the output");
            return CliException.UNAVAILABLE;
        });
        cli.setParameterExceptionHandler((e, params) -> {
            Out.say("error: " + e.getMessage());
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            Out.say("next: see " + command + " --help");
            return CliException.USAGE;
        });
        return cli.execute(args);
    }

    static Api api() {
        return Api.signedIn(serverOption);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cyberun " + VERSION};
        }
    }

    @Command(name = "completion", description = "Prints a bash/zsh completion script: source <(cyberun completion)")
    static final class Completion implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(AutoComplete.bash("cyberun", spec.root().commandLine()));
            out.flush();
        }
    }
}
