{{/*
The environment of one service: what its application.properties reads (see each service's file), with every secret
taken from an existing Secret. Called with (dict "root" $ "service" name).
*/}}
{{- define "cyberun.env" -}}
{{- $v := .root.Values -}}
{{- $s := .service -}}
- name: QUARKUS_HTTP_HOST
  value: "0.0.0.0"
- name: QUARKUS_MANAGEMENT_HOST
  value: "0.0.0.0"
- name: QUARKUS_MANAGEMENT_PORT
  value: {{ $v.managementPort | quote }}
# The image's JVM reads its options from JAVA_TOOL_OPTIONS (the heap follows the container's memory limit).
- name: JAVA_TOOL_OPTIONS
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
  value: {{ include "cyberun.redisUrl" .root | quote }}
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
- name: CYBERUN_DASHBOARD_ISSUER
  value: {{ $v.oidc.issuerUrl | quote }}
- name: CYBERUN_DASHBOARD_CLIENT_ID
  value: {{ $v.oidc.dashboardClientId | quote }}
- name: CYBERUN_DASHBOARD_STORAGE_URL
  value: {{ $v.s3.publicEndpoint | default $v.s3.endpoint | default "https://*.amazonaws.com" | quote }}
{{ include "cyberun.secretEnv" (dict "name" "OIDC_CLIENT_SECRET" "secret" $v.oidc.existingSecret "key" "clientSecret") }}
{{ include "cyberun.dbEnv" (dict "root" .root "db" "gateway") }}
{{- if $v.admin.existingSecret }}
{{ include "cyberun.secretEnv" (dict "name" "CYBERUN_ADMIN_TOKEN" "secret" $v.admin.existingSecret "key" "token") }}
{{- end }}
{{- end }}
{{- if eq $s "task-service" }}
- name: FILE_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "file-service") }}
{{ include "cyberun.dbEnv" (dict "root" .root "db" "task") }}
{{- end }}
{{- if eq $s "scheduler-service" }}
- name: TASK_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "task-service") }}
{{- end }}
{{- if eq $s "agent-hub" }}
# How the other hub replicas reach this pod: a tunnel's requests go to the replica that holds the agent.
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: CYBERUN_HUB_ADVERTISED_URL
  value: {{ printf "http://$(POD_IP):%v" (index $v.services "agent-hub").port | quote }}
- name: FILE_SERVICE_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "file-service") }}
{{- end }}
{{- if eq $s "mcp-service" }}
- name: GATEWAY_URL
  value: {{ include "cyberun.url" (dict "root" .root "service" "gateway-service") }}
- name: GATEWAY_HEALTH_URL
  value: {{ printf "http://%s:%v/q/health/live" (include "cyberun.name" (dict "root" .root "service" "gateway-service")) $v.managementPort }}
{{- end }}
{{- if eq $s "file-service" }}
{{ include "cyberun.dbEnv" (dict "root" .root "db" "file") }}
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
- name: S3_PATH_STYLE
  value: {{ $v.s3.pathStyle | quote }}
{{- if $v.s3.existingSecret }}
- name: S3_CREDENTIALS
  value: "static"
{{ include "cyberun.secretEnv" (dict "name" "S3_ACCESS_KEY" "secret" $v.s3.existingSecret "key" "accessKeyId") }}
{{ include "cyberun.secretEnv" (dict "name" "S3_SECRET_KEY" "secret" $v.s3.existingSecret "key" "secretAccessKey") }}
{{- else }}
# No keys: the AWS default credentials chain (the service account's IRSA role, Pod Identity, an instance profile).
- name: S3_CREDENTIALS
  value: "default"
{{- end }}
{{- end }}
{{- range $name, $value := (index $v.services $s).env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}
