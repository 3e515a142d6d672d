{{/* Names and labels. */}}
{{- define "tidings.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tidings.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tidings.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "tidings.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component (edge or worker): pass (dict "root" $ "component" "edge"). */}}
{{- define "tidings.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tidings.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "tidings.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tidings.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image follows the chart's appVersion unless a tag is given. */}}
{{- define "tidings.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Command-line flags from an edge.config or worker.config map: each leaf by its path in kebab
case (limits.maxBodyBytes -> --limits-max-body-bytes), lists comma-separated. Values are never
secrets: those arrive as environment variables from Secrets.
*/}}
{{- define "tidings.flags" -}}
{{- $prefix := .prefix }}
{{- range $key, $value := .config }}
{{- $name := printf "%s%s" $prefix (kebabcase $key) }}
{{- if kindIs "map" $value }}
{{- include "tidings.flags" (dict "prefix" (printf "%s-" $name) "config" $value) }}
{{- else if kindIs "slice" $value }}
- {{ printf "--%s=%s" $name (join "," $value) | quote }}
{{- else if kindIs "float64" $value }}
- {{ printf "--%s=%d" $name (int64 $value) | quote }}
{{- else }}
- {{ printf "--%s=%v" $name $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* REDIS_URL, with the password from its Secret spliced in by Kubernetes ($(REDIS_PASSWORD)), never written in the chart. */}}
{{- define "tidings.redisEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- if .Values.redis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.passwordKey }}
- name: REDIS_URL
  value: {{ regexReplaceAll "^(rediss?(-cluster)?://)" .Values.redis.url "${1}:$(REDIS_PASSWORD)@" | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ .Values.redis.url | quote }}
{{- end }}
{{- end }}

{{/* The edge's drain budget: preStop, then shutdown.graceSeconds (the binary's default is 10), then a margin for the exit. */}}
{{- define "tidings.edgeGraceSeconds" -}}
{{- $drain := int (dig "shutdown" "graceSeconds" 10 .Values.edge.config) }}
{{- $needed := add .Values.edge.preStopSleepSeconds $drain 5 }}
{{- if eq (int .Values.edge.terminationGracePeriodSeconds) 0 }}
{{- $needed }}
{{- else if lt (int .Values.edge.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "edge.terminationGracePeriodSeconds (%d) is shorter than preStopSleepSeconds + edge.config.shutdown.graceSeconds + 5 (%d): pods would be killed while draining" (int .Values.edge.terminationGracePeriodSeconds) (int $needed)) }}
{{- else }}
{{- .Values.edge.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}
