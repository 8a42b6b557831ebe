-- Webhooks: a team's HTTPS endpoints told when its tasks complete or fail.
create table webhook (
    id                uuid          primary key,
    team_id           uuid          not null,
    display_name      varchar(255)  not null,
    webhook_url       varchar(2048) not null,
    webhook_events    text          not null,
    webhook_secret    varchar(100)  not null,
    webhook_status    varchar(20)   not null,
    created_at        timestamptz   not null,
    updated_at        timestamptz   not null,
    last_delivered_at timestamptz
);
create index webhook_by_team on webhook (team_id, created_at desc);

-- One delivery of one event to one webhook, stored in the transaction that ended the task, so it survives any
-- restart; the dispatcher sends it and records every attempt. A resend is a new delivery of the same body.
create table webhook_delivery (
    id               uuid          primary key,
    webhook_id       uuid          not null references webhook (id) on delete cascade,
    team_id          uuid          not null,
    task_id          uuid          not null,
    event_type       varchar(40)   not null,
    payload          text          not null,
    delivery_status  varchar(20)   not null,
    attempts         int           not null default 0,
    next_attempt_at  timestamptz,
    last_status_code int,
    last_error       varchar(500),
    resend_of        uuid,
    created_at       timestamptz   not null,
    delivered_at     timestamptz
);
create unique index webhook_delivery_once on webhook_delivery (webhook_id, task_id, event_type) where resend_of is null;
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where delivery_status = 'pending';
create index webhook_delivery_by_webhook on webhook_delivery (webhook_id, created_at desc);
