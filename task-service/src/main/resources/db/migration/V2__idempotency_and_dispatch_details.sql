-- Where a task was dispatched: the agent's labels and the hub replica holding it (the API's gateway_id).
alter table task add column agent_labels text;
alter table task add column gateway_id varchar(100);

-- Idempotency-Key of run requests: a retried submit with the same key and body returns the same task (24 h).
create table idempotency_key (
    team_id         uuid          not null,
    idempotency_key varchar(255)  not null,
    request_hash    varchar(64)   not null,
    task_id         uuid          not null,
    created_at      timestamptz   not null,
    primary key (team_id, idempotency_key)
);
create index idempotency_key_age on idempotency_key (created_at);

create index task_by_team_workflow on task (team_id, workflow_id, created_at desc);
create index snapshot_by_workflow on workflow_snapshot (workflow_id, workflow_version desc);
