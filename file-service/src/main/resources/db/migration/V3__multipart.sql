-- Multipart uploads file-service started for a team (large inputs and models). A row lives until the upload is
-- completed or aborted; the cleanup aborts those left incomplete.
create table multipart_upload (
    upload_id    varchar(1024) primary key,
    team_id      uuid          not null,
    kind         varchar(16)   not null,
    storage_key  varchar(1024) not null,
    file_name    varchar(255)  not null,
    file_size    bigint        not null,
    content_type varchar(255)  not null,
    part_size    bigint        not null,
    part_count   integer       not null,
    created_at   timestamptz   not null,
    expires_at   timestamptz   not null
);
create index multipart_upload_expiry on multipart_upload (expires_at);
