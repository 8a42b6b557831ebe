package io.cyberun.task.messaging;

import io.cyberun.common.messaging.EventMessages;
import io.cyberun.common.messaging.Redelivery;
import io.cyberun.contracts.events.ProgressReport;
import io.cyberun.task.service.TaskService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Numbers agents' progress and log reports into their task's event log. */
@ApplicationScoped
public class ProgressReportConsumer {
    private final EventMessages messages;
    private final TaskService tasks;

    public ProgressReportConsumer(EventMessages messages, TaskService tasks) {
        this.messages = messages;
        this.tasks = tasks;
    }

    @Incoming("task-progress")
    public Uni<Void> consume(String value) {
        ProgressReport report = messages.codec().decode(ProgressReport.FAMILY, value).data();
        return Redelivery.withRetries(tasks.record(report));
    }
}
