-- Users, teams, memberships and credentials: the gateway's identity data.

create table app_user (
    id           uuid primary key,
    -- The OIDC subject once the user signed in; null for a user created by invitation or bootstrap by email.
    subject      varchar(255) unique,
    email        varchar(320) not null,
    display_name varchar(255),
    created_at   timestamptz  not null
);
create unique index app_user_email on app_user (lower(email));

create table team (
    id           uuid primary key,
    display_name varchar(100) not null,
    created_at   timestamptz  not null,
    updated_at   timestamptz  not null
);

create table membership (
    team_id    uuid        not null references team (id) on delete cascade,
    user_id    uuid        not null references app_user (id) on delete cascade,
    role       varchar(16) not null,
    created_at timestamptz not null,
    primary key (team_id, user_id)
);
create index membership_by_user on membership (user_id);
-- Exactly one owner per team.
create unique index membership_one_owner on membership (team_id) where role = 'owner';

-- sk- / ak- / dk- credentials. The secret is shown once; only its SHA-256 and its first 12 characters are kept.
create table credential (
    id           uuid primary key,
    team_id      uuid         not null references team (id) on delete cascade,
    kind         varchar(16)  not null,
    display_name varchar(255) not null,
    key_prefix   varchar(12)  not null,
    secret_hash  bytea        not null,
    -- The role the key acts with (integration keys); a device key acts as its user.
    role         varchar(16),
    user_id      uuid references app_user (id) on delete cascade,
    companion_id uuid,
    key_status   varchar(16)  not null,
    created_by   uuid,
    created_at   timestamptz  not null,
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);
create index credential_by_prefix on credential (key_prefix);
create index credential_by_team on credential (team_id, created_at desc);
