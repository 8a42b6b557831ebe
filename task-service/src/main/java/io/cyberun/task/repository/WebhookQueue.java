package io.cyberun.task.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Webhook deliveries of tasks that ended, queued in the transaction that ended them (the dispatcher sends them). */
@ApplicationScoped
public class WebhookQueue {

    /** A terminal task's webhook body for the team's active webhooks that want the event. */
    public record Delivery(UUID teamId, UUID taskId, String eventType, String payload, Instant at) {
    }

    /**
     * Stores one pending delivery per active webhook of the team that wants the event (none when the team has no
     * webhook, which costs one index lookup); answers how many were stored.
     */
    public Uni<Integer> enqueue(SqlConnection conn, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        int n = deliveries.size();
        UUID[] team = new UUID[n];
        UUID[] task = new UUID[n];
        String[] type = new String[n];
        String[] payload = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Delivery d = deliveries.get(i);
            team[i] = d.teamId();
            task[i] = d.taskId();
            type[i] = d.eventType();
            payload[i] = d.payload();
            at[i] = TaskStore.time(d.at());
        }
        return conn.preparedQuery("insert into webhook_delivery (id, webhook_id, team_id, task_id, event_type, payload, delivery_status,"
                        + " attempts, next_attempt_at, created_at)"
                        + " select gen_random_uuid(), w.id, w.team_id, d.task, d.type, d.payload, 'pending', 0, d.at, d.at"
                        + " from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) as d(team, task, type, payload, at)"
                        + " join webhook w on w.team_id = d.team and w.webhook_status = 'active' and w.webhook_events::jsonb ? d.type"
                        + " on conflict do nothing")
                .execute(Tuple.tuple().addValue(team).addValue(task).addValue(type).addValue(payload).addValue(at))
                .map(rows -> rows.rowCount());
    }
}
