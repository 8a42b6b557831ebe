-- The outbox as its own small table: one row per event not yet known to be on Kafka, written with the event and
-- deleted once it was sent. Stamping task_event.published_at instead rewrote every event row after its send, and
-- because the column was in an index's predicate that update was never HOT: a new row version plus three index
-- entries per event (three times the cost of the insert and delete here, measured in docs/benchmarks.md).
create table task_event_outbox (
    position   bigint      primary key,
    created_at timestamptz not null
);
insert into task_event_outbox (position, created_at) select position, created_at from task_event where published_at is null;
drop index task_event_unpublished;
alter table task_event drop column published_at;
