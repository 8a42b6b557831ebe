package io.cyberun.task.repository;

import io.cyberun.contracts.json.CyberunJson;
import io.cyberun.contracts.task.OpenTasks;
import io.cyberun.contracts.task.TaskSpec;
import io.cyberun.contracts.task.TaskStatus;
import io.cyberun.task.model.TaskRow;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The task writes of the hot path as plain SQL on the reactive client, each one statement however many tasks it
 * covers: lock a batch of tasks, update them, append their events. A state change writes the task's mutable columns
 * only (the spec and parameters are written once, at submit); JSON travels as text and is cast in SQL (the client
 * would otherwise send a Java string as a JSON string).
 */
@ApplicationScoped
public class TaskStore {
    static final String COLUMNS = "id, team_id, workflow_id, status, seq, attempt, retry_count, max_retries, task_timeout, agent_id,"
            + " gpu_type, gateway_id, agent_labels, progress, progress_info::text, task_output::text, task_error, last_logs,"
            + " queued_at, started_at, completed_at, deadline_at, updated_at";

    /** A task event row: the outbox entry the publisher sends after commit. */
    public record EventRow(UUID id, UUID taskId, UUID teamId, long seq, String type, String envelope, Instant at) {
    }

    /**
     * Locks the tasks (in id order, so two batches never deadlock) and reads their mutable part; tasks that do not
     * exist are missing from the map.
     */
    public Uni<Map<UUID, TaskRow>> lock(SqlConnection conn, Collection<UUID> ids) {
        return conn.preparedQuery("select " + COLUMNS + " from task where id = any($1) order by id for update")
                .execute(Tuple.of(ids.toArray(new UUID[0])))
                .map(rows -> {
                    Map<UUID, TaskRow> found = new HashMap<>();
                    for (Row r : rows) {
                        TaskRow t = read(r);
                        found.put(t.id, t);
                    }
                    return found;
                });
    }

    /** Writes the mutable columns of the tasks, in one statement. */
    public Uni<Void> update(SqlConnection conn, Collection<TaskRow> tasks) {
        if (tasks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = tasks.size();
        UUID[] id = new UUID[n];
        String[] status = new String[n];
        Long[] seq = new Long[n];
        Integer[] attempt = new Integer[n];
        Integer[] retries = new Integer[n];
        String[] agent = new String[n];
        String[] gpu = new String[n];
        String[] gateway = new String[n];
        String[] labels = new String[n];
        Double[] progress = new Double[n];
        String[] progressInfo = new String[n];
        String[] output = new String[n];
        String[] error = new String[n];
        String[] logs = new String[n];
        OffsetDateTime[] queued = new OffsetDateTime[n];
        OffsetDateTime[] started = new OffsetDateTime[n];
        OffsetDateTime[] completed = new OffsetDateTime[n];
        OffsetDateTime[] deadline = new OffsetDateTime[n];
        OffsetDateTime[] updated = new OffsetDateTime[n];
        int i = 0;
        for (TaskRow t : tasks) {
            id[i] = t.id;
            status[i] = t.status.wireName();
            seq[i] = t.seq;
            attempt[i] = t.attempt;
            retries[i] = t.retryCount;
            agent[i] = t.agentId;
            gpu[i] = t.gpuType;
            gateway[i] = t.gatewayId;
            labels[i] = t.agentLabels;
            progress[i] = t.progress;
            progressInfo[i] = t.progressInfo;
            output[i] = t.taskOutput;
            error[i] = t.taskError;
            logs[i] = t.lastLogs;
            queued[i] = time(t.queuedAt);
            started[i] = time(t.startedAt);
            completed[i] = time(t.completedAt);
            deadline[i] = time(t.deadlineAt);
            updated[i] = time(t.updatedAt);
            i++;
        }
        return conn.preparedQuery("update task t set status = u.status, seq = u.seq, attempt = u.attempt, retry_count = u.retry_count,"
                        + " agent_id = u.agent_id, gpu_type = u.gpu_type, gateway_id = u.gateway_id, agent_labels = u.agent_labels,"
                        + " progress = u.progress, progress_info = u.progress_info::jsonb, task_output = u.task_output::jsonb,"
                        + " task_error = u.task_error, last_logs = u.last_logs, queued_at = u.queued_at, started_at = u.started_at,"
                        + " completed_at = u.completed_at, deadline_at = u.deadline_at, updated_at = u.updated_at"
                        + " from unnest($1::uuid[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[],"
                        + " $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],"
                        + " $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[])"
                        + " as u(id, status, seq, attempt, retry_count, agent_id, gpu_type, gateway_id, agent_labels, progress, progress_info,"
                        + " task_output, task_error, last_logs, queued_at, started_at, completed_at, deadline_at, updated_at)"
                        + " where t.id = u.id")
                .execute(Tuple.tuple().addValue(id).addValue(status).addValue(seq).addValue(attempt).addValue(retries).addValue(agent)
                        .addValue(gpu).addValue(gateway).addValue(labels).addValue(progress).addValue(progressInfo).addValue(output)
                        .addValue(error).addValue(logs).addValue(queued).addValue(started).addValue(completed).addValue(deadline)
                        .addValue(updated))
                .replaceWithVoid();
    }

    /** Appends events to their tasks' logs, each with its outbox row, in one statement. */
    public Uni<Void> append(SqlConnection conn, List<EventRow> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = events.size();
        UUID[] id = new UUID[n];
        UUID[] task = new UUID[n];
        UUID[] team = new UUID[n];
        Long[] seq = new Long[n];
        String[] type = new String[n];
        String[] envelope = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            EventRow e = events.get(i);
            id[i] = e.id();
            task[i] = e.taskId();
            team[i] = e.teamId();
            seq[i] = e.seq();
            type[i] = e.type();
            envelope[i] = e.envelope();
            at[i] = time(e.at());
        }
        return conn.preparedQuery("with ev as (insert into task_event (id, task_id, team_id, seq, type, envelope, created_at)"
                        + " select i, t, tm, s, ty, e::jsonb, c from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[],"
                        + " $6::text[], $7::timestamptz[]) as x(i, t, tm, s, ty, e, c) returning id, position, created_at)"
                        + " insert into task_event_outbox (position, created_at, event_id) select position, created_at, id from ev")
                .execute(Tuple.tuple().addValue(id).addValue(task).addValue(team).addValue(seq).addValue(type).addValue(envelope).addValue(at))
                .replaceWithVoid();
    }

    /**
     * Running tasks past their deadline, earliest first, at most {@code limit}. Only a running task has a deadline, so the
     * partial index {@code task_deadline} holds exactly the candidates, and the sweep tells the planner to use it: without
     * statistics (PostgreSQL with autovacuum off, as on the CI machines) it estimated a third of all tasks and read the whole
     * table instead, 150-290 ms every 5 s at 100,000 finished tasks, growing with the table.
     */
    public Uni<List<TaskRow>> overdue(Pool pool, Instant now, int limit) {
        return pool.withTransaction(conn -> conn.query("set local enable_seqscan = off").execute()
                .flatMap(x -> conn.preparedQuery("select " + COLUMNS + " from task where deadline_at < $1 and status = 'running'"
                                + " order by deadline_at limit $2")
                        .execute(Tuple.of(time(now), limit)))
                .map(rows -> rows.stream().map(TaskStore::read).toList()));
    }

    /** Tasks that have not ended, by id after {@code after} (all when null), at most {@code limit}. */
    public Uni<List<OpenTasks.OpenTask>> open(SqlConnection conn, UUID after, int limit) {
        return conn.preparedQuery("select id, team_id, status, agent_id, attempt, seq, spec::text, created_at from task"
                        + " where status not in ('completed', 'failed', 'cancelled') and id > $1 order by id limit $2")
                .execute(Tuple.of(after == null ? new UUID(0, 0) : after, limit))
                .map(rows -> {
                    List<OpenTasks.OpenTask> open = new java.util.ArrayList<>();
                    for (Row r : rows) {
                        open.add(new OpenTasks.OpenTask(r.getUUID(0), r.getUUID(1), TaskStatus.fromWire(r.getString(2)), r.getString(3),
                                r.getInteger(4), r.getLong(5), spec(r.getString(6)), instant(r.getOffsetDateTime(7))));
                    }
                    return open;
                });
    }

    private static TaskSpec spec(String json) {
        try {
            return CyberunJson.mapper().readValue(json, TaskSpec.class);
        } catch (Exception e) {
            throw new IllegalStateException("a task's spec is unreadable", e);
        }
    }

    private static TaskRow read(Row r) {
        TaskRow t = new TaskRow();
        t.id = r.getUUID(0);
        t.teamId = r.getUUID(1);
        t.workflowId = r.getUUID(2);
        t.status = TaskStatus.fromWire(r.getString(3));
        t.seq = r.getLong(4);
        t.attempt = r.getInteger(5);
        t.retryCount = r.getInteger(6);
        t.maxRetries = r.getInteger(7);
        t.taskTimeout = r.getInteger(8);
        t.agentId = r.getString(9);
        t.gpuType = r.getString(10);
        t.gatewayId = r.getString(11);
        t.agentLabels = r.getString(12);
        t.progress = r.getDouble(13);
        t.progressInfo = r.getString(14);
        t.taskOutput = r.getString(15);
        t.taskError = r.getString(16);
        t.lastLogs = r.getString(17);
        t.queuedAt = instant(r.getOffsetDateTime(18));
        t.startedAt = instant(r.getOffsetDateTime(19));
        t.completedAt = instant(r.getOffsetDateTime(20));
        t.deadlineAt = instant(r.getOffsetDateTime(21));
        t.updatedAt = instant(r.getOffsetDateTime(22));
        return t;
    }

    static OffsetDateTime time(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
