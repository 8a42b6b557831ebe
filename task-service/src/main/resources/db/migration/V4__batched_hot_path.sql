-- The hot path writes tasks with narrow statements, in batches, and records how far it has read each Kafka partition
-- in the transaction that applies what it read (replacing one processed_message row per message).

-- What the timeout sweeper needs without reading the spec: the workflow's task_timeout, and when a running attempt is
-- due. Only deadline_at is indexed, and only while set, so the other updates of a task can stay HOT (heap-only).
alter table task add column task_timeout integer not null default 0;
alter table task add column deadline_at timestamptz;
update task set task_timeout = coalesce((spec->>'task_timeout')::int, 0);
update task set deadline_at = started_at + make_interval(secs => task_timeout)
    where status = 'running' and task_timeout > 0 and started_at is not null;
create index task_deadline on task (deadline_at) where deadline_at is not null;
-- status is no longer indexed: a status change would otherwise never be a HOT update.
drop index task_running;
-- Room on each page for the new versions of a task's row (HOT updates need free space on the same page).
alter table task set (fillfactor = 80);

-- The next offset to apply per consumer group and partition, written in the transaction that applies the records
-- before it: a record at an offset below it was applied already, so a redelivered batch changes nothing.
create table consumer_offset (
    consumer_group  varchar(200) not null,
    topic           varchar(200) not null,
    kafka_partition integer      not null,
    next_offset     bigint       not null,
    primary key (consumer_group, topic, kafka_partition)
);

drop table processed_message;
