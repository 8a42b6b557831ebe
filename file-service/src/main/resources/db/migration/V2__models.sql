-- Model files a team registers; the active ones are synced to its agents. The bytes are immutable: the size and
-- the sha256 were checked against the stored object at registration.
create table model (
    id           uuid          primary key,
    team_id      uuid          not null,
    display_name varchar(255)  not null,
    model_type   varchar(50)   not null,
    model_path   varchar(1024) not null,
    storage_key  varchar(1024) not null,
    file_size    bigint        not null,
    file_hash    varchar(71)   not null,
    model_status varchar(16)   not null,
    created_at   timestamptz   not null,
    updated_at   timestamptz   not null
);
create unique index model_place_in_team on model (team_id, model_type, model_path);
create unique index model_storage_key on model (storage_key);
create index model_by_team on model (team_id, created_at desc);
