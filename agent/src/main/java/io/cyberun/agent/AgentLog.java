package io.cyberun.agent;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** What the agent prints: one line per thing it does, with the time. */
public final class AgentLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static volatile boolean debug = System.getenv("CYBERUN_AGENT_DEBUG") != null;

    private AgentLog() {
    }

    public static void info(String format, Object... args) {
        System.out.println(LocalTime.now().format(TIME) + " [agent] " + String.format(format, args));
    }

    public static void warn(String format, Object... args) {
        System.out.println(LocalTime.now().format(TIME) + " [agent] WARN " + String.format(format, args));
    }

    public static void debug(String format, Object... args) {
        if (debug) {
            System.out.println(LocalTime.now().format(TIME) + " [agent] debug " + String.format(format, args));
        }
    }
}
