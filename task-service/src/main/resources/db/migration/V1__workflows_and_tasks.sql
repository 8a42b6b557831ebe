-- Workflows, their immutable snapshots, tasks, and the task event log (which is also the outbox).

create table workflow (
    id                      uuid primary key,
    team_id                 uuid          not null,
    workflow_slug           varchar(100)  not null,
    display_name            varchar(255)  not null,
    description             varchar(2000),
    version                 integer       not null,
    workflow_status         varchar(16)   not null,
    tool_type               varchar(32)   not null,
    workflow_json           jsonb         not null,
    -- JSON arrays are kept as text: see io.cyberun.task.model.JsonText.
    parameters              text          not null,
    required_labels         text          not null,
    required_models         text          not null,
    task_timeout            integer       not null,
    max_retries             integer       not null,
    min_vram_gb             integer,
    preferred_gpu           varchar(100),
    default_dispatch_target varchar(32),
    created_at              timestamptz   not null,
    updated_at              timestamptz   not null,
    constraint workflow_slug_per_team unique (team_id, workflow_slug)
);

-- Every saved version of a workflow, whole: runs of slug@version and restores read these.
create table workflow_snapshot (
    id               uuid primary key,
    workflow_id      uuid         not null references workflow (id) on delete cascade,
    team_id          uuid         not null,
    workflow_version integer      not null,
    definition       jsonb        not null,
    snapshot_note    varchar(500),
    created_at       timestamptz  not null,
    constraint snapshot_version unique (workflow_id, workflow_version)
);

create table task (
    id               uuid primary key,
    team_id          uuid          not null,
    workflow_id      uuid          not null,
    workflow_version integer       not null,
    workflow_slug    varchar(100)  not null,
    tool_type        varchar(32)   not null,
    status           varchar(16)   not null,
    -- The number of the task's last event in task_event; events are numbered 1, 2, 3... without gaps.
    seq              bigint        not null,
    attempt          integer       not null,
    retry_count      integer       not null,
    max_retries      integer       not null,
    agent_id         varchar(200),
    gpu_type         varchar(200),
    spec             jsonb         not null,
    parameters       jsonb         not null,
    progress         double precision,
    progress_info    jsonb,
    task_output      jsonb,
    task_error       text,
    last_logs        text          not null default '[]',
    dispatch_target  varchar(32)   not null,
    target_pool      varchar(32)   not null,
    submitter_region varchar(64),
    created_at       timestamptz   not null,
    queued_at        timestamptz,
    started_at       timestamptz,
    completed_at     timestamptz,
    updated_at       timestamptz   not null
);
create index task_by_team_created on task (team_id, created_at desc);
create index task_running on task (status) where status in ('queued', 'running', 'provisioning');

-- The task's event log. A row is written in the same transaction as the change it records; the relay
-- publishes rows with published_at null to Kafka in position order and then stamps them.
create table task_event (
    position     bigserial primary key,
    id           uuid          not null unique,
    task_id      uuid          not null references task (id) on delete cascade,
    team_id      uuid          not null,
    seq          bigint        not null,
    type         varchar(64)   not null,
    envelope     jsonb         not null,
    created_at   timestamptz   not null,
    published_at timestamptz,
    constraint task_event_seq unique (task_id, seq)
);
create index task_event_unpublished on task_event (position) where published_at is null;

-- Ids of transition requests already applied: a redelivered request changes nothing. Kept a little longer
-- than the topic's retention, then purged.
create table processed_message (
    id           uuid primary key,
    processed_at timestamptz not null
);
create index processed_message_age on processed_message (processed_at);
