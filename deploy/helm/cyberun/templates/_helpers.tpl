{{/* The name of a service's objects: <release>-<service>. */}}
{{- define "cyberun.name" -}}
{{- printf "%s-%s" .root.Release.Name .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The in-cluster URL of a service. */}}
{{- define "cyberun.url" -}}
{{- $svc := index .root.Values.services .service -}}
{{- printf "http://%s:%v" (include "cyberun.name" .) $svc.port -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "cyberun.labels" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: cyberun
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The labels of the release's shared objects (operators' resources, the service account, monitoring). */}}
{{- define "cyberun.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: cyberun
{{- end -}}

{{/* The labels that select a service's pods. */}}
{{- define "cyberun.selector" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* A service's image. */}}
{{- define "cyberun.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .service (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{/* A variable read from an existing Secret. */}}
{{- define "cyberun.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/* The MCP replicas' stable addresses, for the gateway's session routing. */}}
{{- define "cyberun.mcpReplicas" -}}
{{- $name := include "cyberun.name" (dict "root" .root "service" "mcp-service") -}}
{{- $svc := index .root.Values.services "mcp-service" -}}
{{- $urls := list -}}
{{- range $i := until (int $svc.replicas) -}}
{{- $urls = append $urls (printf "http://%s-%d.%s-headless:%v" $name $i $name $svc.port) -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}

{{/* Kafka's bootstrap servers: the Strimzi cluster's bootstrap Service, or yours. */}}
{{- define "cyberun.kafkaBootstrap" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{- printf "%s-kafka-kafka-bootstrap:9092" .Release.Name -}}
{{- else -}}
{{- .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/* Redis's URL: the release's trial Redis, or yours. */}}
{{- define "cyberun.redisUrl" -}}
{{- if .Values.redis.simple.enabled -}}
{{- printf "redis://%s-redis:6379" .Release.Name -}}
{{- else -}}
{{- .Values.redis.url -}}
{{- end -}}
{{- end -}}

{{/* PostgreSQL's host and port: the CloudNativePG cluster's read-write Service, or yours. */}}
{{- define "cyberun.pgAddress" -}}
{{- if .Values.postgres.cloudnativepg.enabled -}}
{{- printf "%s-pg-rw:5432" .Release.Name -}}
{{- else -}}
{{- printf "%s:%v" .Values.postgres.host .Values.postgres.port -}}
{{- end -}}
{{- end -}}

{{/* One service's database settings: <PREFIX>_DB_URL, _USER and _PASSWORD. Called with (dict "root" $ "db" "task"). */}}
{{- define "cyberun.dbEnv" -}}
{{- $d := index .root.Values.postgres.databases .db -}}
{{- $prefix := upper .db -}}
- name: {{ $prefix }}_DB_URL
  value: {{ printf "postgresql://%s/%s" (include "cyberun.pgAddress" .root) $d.database | quote }}
- name: {{ $prefix }}_DB_USER
  value: {{ $d.user | quote }}
{{ include "cyberun.secretEnv" (dict "name" (printf "%s_DB_PASSWORD" $prefix) "secret" $d.existingSecret "key" "password") }}
{{- end -}}
