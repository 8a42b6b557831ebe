-- Inputs clients upload for file parameters: the key was issued by file-service for the team, so a run can
-- check that a file parameter names an upload of the same team.
create table input_upload (
    storage_key  varchar(1024) primary key,
    team_id      uuid          not null,
    file_name    varchar(255)  not null,
    file_size    bigint        not null,
    content_type varchar(255)  not null,
    created_at   timestamptz   not null,
    expires_at   timestamptz   not null
);
create index input_upload_by_team on input_upload (team_id, created_at desc);
create index input_upload_expiry on input_upload (expires_at);
