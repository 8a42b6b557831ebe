package io.cyberun.task.repository;

import io.cyberun.task.model.TaskRow;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Submitted tasks, written once: the row with its immutable part (spec, parameters, where it may run) and its first
 * event. Later changes write only the mutable columns ({@link TaskStore#update}).
 */
@ApplicationScoped
public class NewTasks {

    /** A new task: the row's immutable part besides what {@link TaskRow} holds. */
    public record NewTask(TaskRow row, int workflowVersion, String workflowSlug, String toolType, String spec, String parameters,
                          String dispatchTarget, String targetPool, String submitterRegion, Instant createdAt) {
    }

    /** Inserts one new task (its first event is appended with the task's other writes). */
    public Uni<Void> insert(SqlConnection conn, NewTask n) {
        TaskRow t = n.row();
        return conn.preparedQuery("insert into task (id, team_id, workflow_id, workflow_version, workflow_slug, tool_type, status, seq, attempt,"
                        + " retry_count, max_retries, task_timeout, spec, parameters, last_logs, dispatch_target, target_pool, submitter_region,"
                        + " created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text::jsonb,"
                        + " $14::text::jsonb, $15, $16, $17, $18, $19, $20)")
                .execute(Tuple.tuple().addValue(t.id).addValue(t.teamId).addValue(t.workflowId).addValue(n.workflowVersion())
                        .addValue(n.workflowSlug()).addValue(n.toolType()).addValue(t.status.wireName()).addValue(t.seq).addValue(t.attempt)
                        .addValue(t.retryCount).addValue(t.maxRetries).addValue(t.taskTimeout).addValue(n.spec()).addValue(n.parameters())
                        .addValue(t.lastLogs).addValue(n.dispatchTarget()).addValue(n.targetPool()).addValue(n.submitterRegion())
                        .addValue(TaskStore.time(n.createdAt())).addValue(TaskStore.time(t.updatedAt)))
                .replaceWithVoid();
    }

    /** A new task and its first event, written together. */
    public record NewTaskWithEvent(NewTask task, TaskStore.EventRow event) {
    }

    /**
     * Inserts new tasks and their first events (with their outbox rows) in one statement: one round trip and one commit
     * however many tasks, atomic on its own (no transaction needs to be opened and committed around it).
     */
    public Uni<Void> insertWithEvents(SqlClient client, List<NewTaskWithEvent> tasks) {
        int n = tasks.size();
        UUID[] id = new UUID[n];
        UUID[] team = new UUID[n];
        UUID[] workflow = new UUID[n];
        Integer[] version = new Integer[n];
        String[] slug = new String[n];
        String[] tool = new String[n];
        String[] status = new String[n];
        Long[] seq = new Long[n];
        Integer[] attempt = new Integer[n];
        Integer[] retries = new Integer[n];
        Integer[] maxRetries = new Integer[n];
        Integer[] timeout = new Integer[n];
        String[] spec = new String[n];
        String[] parameters = new String[n];
        String[] logs = new String[n];
        String[] target = new String[n];
        String[] targetPool = new String[n];
        String[] region = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        OffsetDateTime[] updated = new OffsetDateTime[n];
        UUID[] eventId = new UUID[n];
        Long[] eventSeq = new Long[n];
        String[] eventType = new String[n];
        String[] envelope = new String[n];
        OffsetDateTime[] eventAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            NewTask nt = tasks.get(i).task();
            TaskRow t = nt.row();
            TaskStore.EventRow e = tasks.get(i).event();
            id[i] = t.id;
            team[i] = t.teamId;
            workflow[i] = t.workflowId;
            version[i] = nt.workflowVersion();
            slug[i] = nt.workflowSlug();
            tool[i] = nt.toolType();
            status[i] = t.status.wireName();
            seq[i] = t.seq;
            attempt[i] = t.attempt;
            retries[i] = t.retryCount;
            maxRetries[i] = t.maxRetries;
            timeout[i] = t.taskTimeout;
            spec[i] = nt.spec();
            parameters[i] = nt.parameters();
            logs[i] = t.lastLogs;
            target[i] = nt.dispatchTarget();
            targetPool[i] = nt.targetPool();
            region[i] = nt.submitterRegion();
            created[i] = TaskStore.time(nt.createdAt());
            updated[i] = TaskStore.time(t.updatedAt);
            eventId[i] = e.id();
            eventSeq[i] = e.seq();
            eventType[i] = e.type();
            envelope[i] = e.envelope();
            eventAt[i] = TaskStore.time(e.at());
        }
        return client.preparedQuery("with x as (select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[],"
                        + " $7::text[], $8::bigint[], $9::int[], $10::int[], $11::int[], $12::int[], $13::text[], $14::text[], $15::text[],"
                        + " $16::text[], $17::text[], $18::text[], $19::timestamptz[], $20::timestamptz[], $21::uuid[], $22::bigint[],"
                        + " $23::text[], $24::text[], $25::timestamptz[]) as x(id, team_id, workflow_id, workflow_version, workflow_slug,"
                        + " tool_type, status, seq, attempt, retry_count, max_retries, task_timeout, spec, parameters, last_logs,"
                        + " dispatch_target, target_pool, submitter_region, created_at, updated_at, event_id, event_seq, event_type,"
                        + " envelope, event_at))"
                        + ", t as (insert into task (id, team_id, workflow_id, workflow_version, workflow_slug, tool_type, status, seq,"
                        + " attempt, retry_count, max_retries, task_timeout, spec, parameters, last_logs, dispatch_target, target_pool,"
                        + " submitter_region, created_at, updated_at) select id, team_id, workflow_id, workflow_version, workflow_slug,"
                        + " tool_type, status, seq, attempt, retry_count, max_retries, task_timeout, spec::jsonb, parameters::jsonb,"
                        + " last_logs, dispatch_target, target_pool, submitter_region, created_at, updated_at from x returning id)"
                        + ", e as (insert into task_event (id, task_id, team_id, seq, type, envelope, created_at)"
                        + " select x.event_id, x.id, x.team_id, x.event_seq, x.event_type, x.envelope::jsonb, x.event_at"
                        + " from x join t on t.id = x.id returning id, position, created_at)"
                        + " insert into task_event_outbox (position, created_at, event_id) select position, created_at, id from e")
                .execute(Tuple.tuple().addValue(id).addValue(team).addValue(workflow).addValue(version).addValue(slug).addValue(tool)
                        .addValue(status).addValue(seq).addValue(attempt).addValue(retries).addValue(maxRetries).addValue(timeout)
                        .addValue(spec).addValue(parameters).addValue(logs).addValue(target).addValue(targetPool).addValue(region)
                        .addValue(created).addValue(updated).addValue(eventId).addValue(eventSeq).addValue(eventType).addValue(envelope)
                        .addValue(eventAt))
                .replaceWithVoid();
    }
}
