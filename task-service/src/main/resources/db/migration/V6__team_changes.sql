-- The dashboard's team stream resumes by asking which of a team's tasks changed state after a moment: the events that
-- change a task's state (not progress, log lines or previews, the bulk of the log) are indexed by team and time.
-- The predicate is spelled exactly as TaskRepository.changedSince asks, so the planner uses the partial index.
create index task_event_team_changes on task_event (team_id, created_at)
    where type not in ('io.cyberun.task.progressed', 'io.cyberun.task.logged', 'io.cyberun.task.previewed');
