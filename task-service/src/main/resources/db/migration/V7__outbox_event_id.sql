-- The relay takes a sent event out of the outbox by the event's id, which it holds in memory. Finding the outbox row
-- through task_event (id -> position) read a random page of the whole event log per event: the largest PostgreSQL
-- cost under load (docs/benchmarks.md, "The outbox delete"). Rows written before this migration have no id; the sweep
-- publishes and deletes those by position, as it does any row left behind.
alter table task_event_outbox add column event_id uuid;
create index task_event_outbox_event on task_event_outbox (event_id);
