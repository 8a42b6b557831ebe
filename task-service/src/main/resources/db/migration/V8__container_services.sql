-- Container services: long-running replicas a team runs on its agents, reached through the platform's proxy.
-- desired_state says what the scheduler must do (run: keep replica_count replicas of this generation; stop: none);
-- service_status, status_reason and replica_status are what it last observed (it reports changes).
create table container_service (
    id                          uuid          primary key,
    team_id                     uuid          not null,
    service_slug                varchar(100)  not null,
    display_name                varchar(255)  not null,
    service_desc                text          not null default '',
    service_type                varchar(20)   not null,
    docker_image                varchar(500),
    external_url                varchar(2048),
    external_auth_credential_id varchar(255),
    exposed_port                int           not null,
    health_path                 varchar(500)  not null,
    env_config                  text          not null,
    volume_config               text          not null,
    required_labels             text          not null,
    gpu_count                   int           not null,
    replica_count               int           not null,
    usage_prompt                text          not null default '',
    openapi_url                 varchar(2048),
    desired_state               varchar(20)   not null,
    generation                  int           not null default 0,
    service_status              varchar(20)   not null,
    status_reason               varchar(1000),
    replica_status              text          not null default '[]',
    created_at                  timestamptz   not null,
    updated_at                  timestamptz   not null
);
create unique index container_service_slug on container_service (team_id, service_slug);
create index container_service_desired on container_service (desired_state) where desired_state <> 'none';
