-- Team lifecycle and invitations.

-- A deleted team keeps its row (ids in other services stay unambiguous) but has no members, no invitations and
-- only revoked credentials. open_tasks_cancelled_at is set once task-service confirmed it cancelled the team's
-- open tasks; until then a sweep retries.
alter table team add column deleted_at timestamptz;
alter table team add column open_tasks_cancelled_at timestamptz;
create index team_cleanup_pending on team (deleted_at) where deleted_at is not null and open_tasks_cancelled_at is null;

create table invitation (
    id          uuid primary key,
    team_id     uuid         not null references team (id) on delete cascade,
    email       varchar(320) not null,
    role        varchar(16)  not null,
    -- SHA-256 of the one-time token the invitee presents; the token itself is shown once.
    token_hash  bytea        not null unique,
    created_by  uuid         not null references app_user (id) on delete cascade,
    created_at  timestamptz  not null,
    expires_at  timestamptz  not null
);
-- One pending invitation per email and team (a second one is a 409).
create unique index invitation_one_pending on invitation (team_id, lower(email));
