package io.cyberun.gateway.sse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cyberun.contracts.stream.TaskStreamEvent;

/**
 * One task event as it goes on the wire ({@code id}, {@code event}, {@code data} lines), serialised once however
 * many subscribers it is written to.
 */
record SseFrame(long id, String event, boolean terminal, String text) {

    static SseFrame of(TaskStreamEvent e, ObjectMapper json) {
        String data;
        try {
            data = json.writeValueAsString(e.data());
        } catch (Exception ex) {
            data = "{}";
        }
        return new SseFrame(e.id(), e.event(), e.isTerminal(), "id: " + e.id() + "\nevent: " + e.event() + "\ndata: " + data + "\n\n");
    }

    boolean isProgress() {
        return TaskStreamEvent.PROGRESS.equals(event);
    }

    boolean isPreview() {
        return TaskStreamEvent.PREVIEW.equals(event);
    }
}
