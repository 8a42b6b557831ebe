{{/*
The environment of one service: what its application.properties reads (see each service's file), with every secret
taken from an existing Secret. Called with (dict "root" $ "service" name).
*/}}
{{- define "cyberun.env" -}}
{{- $v := .root.Values -}}
{{- $s := .service -}}
{{- $pg := $v.postgres -}}
- name: QUARKUS_HTTP_HOST
  value: "0.0.0.0"
- name: JAVA_OPTS_APPEND
  value: {{ $v.javaOptions | quote }}
- name: CYBERUN_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: KAFKA_BOOTSTRAP
  value: {{ include "cyberun.kafkaBootstrap" .root | quote }}
- name: CYBERUN_TOPIC_PREFIX
  value: {{ $v.kafka.topicPrefix | quote }}
- name: CYBERUN_REDIS_PREFIX
  value: {{ $v.redis.keyPrefix | quote }}
{{ include "cyberun.secretEnv" (dict "name" "CYBERUN_PRINCIPAL_PUBLIC_KEY" "secret" $v.principal.existingSecret "key" "publicKey") }}
{{- if $v.otel.endpoint }}
- name: CYBERUN_OTEL_ENDPOINT
  value: {{ $v.otel.endpoint | quote }}
{{- end }}
{{- if has $s (list "gateway-service" "scheduler-service" "agent-hub") }}
{{ include "cyberun.secretEnv" (dict "name" "CYBERUN_PRINCIPAL_PRIVATE_KEY" "secret" $v.principal.existingSecret "key" "privateKey") }}
- name: REDIS_URL
  value: {{ $v.redis.url | quote }}
{{- end }}
{{- if eq $s "gateway-service" }}
- name: TASK_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "task-service") }}
- name: SCHEDULER_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "scheduler-service") }}
- name: AGENT_HUB_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "agent-hub") }}
- name: MCP_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "mcp-service") }}
- name: CYBERUN_GATEWAY_MCP_REPLICAS
  value: {{ include "cyberun.mcpReplicas" (dict "root" .root) | quote }}
- name: FILE_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "file-service") }}
- name: CYBERUN_PUBLIC_URL
  value: {{ $v.publicUrl | quote }}
- name: CYBERUN_GATEWAY_PAIRING_VERIFICATION_URI
  value: {{ printf "%s/desktop/pair" (trimSuffix "/" $v.publicUrl) | quote }}
- name: OIDC_URL
  value: {{ $v.oidc.issuerUrl | quote }}
- name: OIDC_CLIENT_ID
  value: {{ $v.oidc.clientId | quote }}
- name: OIDC_AUDIENCE
  value: {{ $v.oidc.audience | quote }}
{{ include "cyberun.secretEnv" (dict "name" "OIDC_CLIENT_SECRET" "secret" $v.oidc.existingSecret "key" "clientSecret") }}
- name: GATEWAY_DB_URL
  value: {{ printf "postgresql://%s:%v/%s" $pg.host $pg.port $pg.databases.gateway.database | quote }}
- name: GATEWAY_DB_USER
  value: {{ $pg.databases.gateway.user | quote }}
{{ include "cyberun.secretEnv" (dict "name" "GATEWAY_DB_PASSWORD" "secret" $pg.existingSecret "key" $pg.databases.gateway.user) }}
{{- if $v.admin.existingSecret }}
{{ include "cyberun.secretEnv" (dict "name" "CYBERUN_ADMIN_TOKEN" "secret" $v.admin.existingSecret "key" "token") }}
{{- end }}
{{- end }}
{{- if eq $s "task-service" }}
- name: FILE_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "file-service") }}
- name: TASK_DB_URL
  value: {{ printf "postgresql://%s:%v/%s" $pg.host $pg.port $pg.databases.task.database | quote }}
- name: TASK_DB_USER
  value: {{ $pg.databases.task.user | quote }}
{{ include "cyberun.secretEnv" (dict "name" "TASK_DB_PASSWORD" "secret" $pg.existingSecret "key" $pg.databases.task.user) }}
{{- end }}
{{- if eq $s "scheduler-service" }}
- name: TASK_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "task-service") }}
{{- end }}
{{- if eq $s "agent-hub" }}
- name: GATEWAY_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "gateway-service") }}
- name: FILE_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "file-service") }}
{{- end }}
{{- if eq $s "mcp-service" }}
- name: GATEWAY_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "gateway-service") }}
{{- end }}
{{- if eq $s "file-service" }}
- name: TASK_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "task-service") }}
- name: FILE_DB_URL
  value: {{ printf "postgresql://%s:%v/%s" $pg.host $pg.port $pg.databases.file.database | quote }}
- name: FILE_DB_USER
  value: {{ $pg.databases.file.user | quote }}
{{ include "cyberun.secretEnv" (dict "name" "FILE_DB_PASSWORD" "secret" $pg.existingSecret "key" $pg.databases.file.user) }}
- name: S3_URL
  value: {{ default (printf "https://s3.%s.amazonaws.com" $v.s3.region) $v.s3.endpoint | quote }}
- name: S3_PUBLIC_URL
  value: {{ $v.s3.publicEndpoint | quote }}
- name: CYBERUN_STORAGE_REGION
  value: {{ $v.s3.region | quote }}
- name: CYBERUN_STORAGE_BUCKETS_INPUTS
  value: {{ $v.s3.buckets.inputs | quote }}
- name: CYBERUN_STORAGE_BUCKETS_OUTPUTS
  value: {{ $v.s3.buckets.outputs | quote }}
- name: CYBERUN_STORAGE_BUCKETS_MODELS
  value: {{ $v.s3.buckets.models | quote }}
- name: CYBERUN_STORAGE_CREATE_BUCKETS
  value: {{ $v.s3.createBuckets | quote }}
{{ include "cyberun.secretEnv" (dict "name" "S3_ACCESS_KEY" "secret" $v.s3.existingSecret "key" "accessKeyId") }}
{{ include "cyberun.secretEnv" (dict "name" "S3_SECRET_KEY" "secret" $v.s3.existingSecret "key" "secretAccessKey") }}
{{- end }}
{{- range $name, $value := (index $v.services $s).env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
