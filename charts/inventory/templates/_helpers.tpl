{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "inventory.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; release name first unless it already contains the chart name. */}}
{{- define "inventory.fullname" -}}
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

{{- define "inventory.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inventory.labels" -}}
helm.sh/chart: {{ include "inventory.chart" . }}
app.kubernetes.io/name: {{ include "inventory.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels for one component: include "inventory.selectorLabels" (dict "ctx" . "component" "web") */}}
{{- define "inventory.selectorLabels" -}}
app.kubernetes.io/name: {{ include "inventory.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "inventory.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "inventory.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "inventory.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret holding the application secrets: the user's or the chart's. */}}
{{- define "inventory.secretName" -}}
{{- default (include "inventory.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "inventory.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "inventory.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inventory.postgresql.secretName" -}}
{{- default (include "inventory.postgresql.fullname" .) .Values.postgresql.auth.existingSecret }}
{{- end }}

{{- define "inventory.redis.fullname" -}}
{{- printf "%s-redis" (include "inventory.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inventory.backupClaimName" -}}
{{- printf "%s-backups" (include "inventory.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The migration hook. With a bundled database the StatefulSet only exists after
the install's hooks, so the first migration runs post-install instead.
*/}}
{{- define "inventory.migrationHook" -}}
{{- if .Values.postgresql.enabled -}}
post-install,pre-upgrade
{{- else -}}
pre-install,pre-upgrade
{{- end -}}
{{- end }}

{{/* Non-secret settings as a flat map; the ConfigMap and the migration Job both use it. */}}
{{- define "inventory.configData" -}}
APP_ENV: {{ .Values.config.appEnv | quote }}
{{- $baseUrl := .Values.config.appBaseUrl }}
{{- if and (not $baseUrl) .Values.ingress.enabled }}
{{- $baseUrl = printf "https://%s" .Values.ingress.host }}
{{- end }}
APP_BASE_URL: {{ $baseUrl | quote }}
PRIMARY_REGION: {{ .Values.config.primaryRegion | quote }}
ACCESS_TOKEN_EXPIRE_MINUTES: {{ .Values.config.accessTokenExpireMinutes | quote }}
REFRESH_TOKEN_EXPIRE_DAYS: {{ .Values.config.refreshTokenExpireDays | quote }}
DEFAULT_ADMIN_EMAIL: {{ .Values.config.defaultAdminEmail | quote }}
DEFAULT_ADMIN_NAME: {{ .Values.config.defaultAdminName | quote }}
ALERT_FROM_EMAIL: {{ .Values.config.alertFromEmail | quote }}
SOCKETIO_TRANSPORT: {{ .Values.socketio.transport | quote }}
METRICS_ALLOWED_NETWORKS: {{ .Values.metrics.allowedNetworks | quote }}
PROMETHEUS_MULTIPROC_DIR: "/tmp/prometheus-multiproc"
# Pods are reached only through the Service and Ingress: trust their X-Forwarded-* headers.
FORWARDED_ALLOW_IPS: {{ .Values.config.forwardedAllowIps | quote }}
# The app takes the client address from this many X-Forwarded-For hops (the Ingress adds one).
TRUSTED_PROXY_HOPS: {{ .Values.config.trustedProxyHops | quote }}
BACKUP_KEEP: {{ .Values.backup.keep | quote }}
BACKUP_SCHEDULE: {{ .Values.backup.schedule | quote }}
{{- if eq .Values.backup.storage "pvc" }}
BACKUP_DIR: {{ .Values.backup.dir | quote }}
{{- else }}
BACKUP_DIR: "/tmp/backups"
BACKUP_S3_BUCKET: {{ required "backup.s3.bucket is required when backup.storage is s3" .Values.backup.s3.bucket | quote }}
BACKUP_S3_ENDPOINT_URL: {{ .Values.backup.s3.endpointUrl | quote }}
BACKUP_S3_PREFIX: {{ .Values.backup.s3.prefix | quote }}
{{- end }}
{{- if .Values.redis.enabled }}
REDIS_URL: {{ printf "redis://%s:6379/0" (include "inventory.redis.fullname" .) | quote }}
{{- end }}
{{- range $key, $value := .Values.config.extraEnv }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Secret-backed env entries: every value arrives through secretKeyRef. */}}
{{- define "inventory.secretEnv" -}}
{{- $secret := include "inventory.secretName" . }}
{{- range $key := list "SECRET_KEY" "JWT_SECRET" "DEFAULT_ADMIN_PASSWORD" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- range $key := list "SENDGRID_API_KEY" "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- if .Values.postgresql.enabled }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "inventory.postgresql.secretName" . }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(DATABASE_PASSWORD)@%s:5432/%s" .Values.postgresql.username (include "inventory.postgresql.fullname" .) .Values.postgresql.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "externalDatabase.existingSecret is required when postgresql.enabled is false" .Values.externalDatabase.existingSecret }}
      key: {{ .Values.externalDatabase.existingSecretKey }}
{{- end }}
{{- if not .Values.redis.enabled }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "externalRedis.existingSecret is required when redis.enabled is false" .Values.externalRedis.existingSecret }}
      key: {{ .Values.externalRedis.existingSecretKey }}
{{- end }}
{{- end }}

{{- define "inventory.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "inventory.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end }}

{{/* Volumes shared by the app pods: a writable /tmp (metrics, uploads in flight) and the backup claim. */}}
{{- define "inventory.volumes" -}}
- name: tmp
  emptyDir: {}
- name: prometheus-multiproc
  emptyDir: {}
{{- if and .withBackups (eq .ctx.Values.backup.storage "pvc") }}
- name: backups
  persistentVolumeClaim:
    claimName: {{ include "inventory.backupClaimName" .ctx }}
{{- end }}
{{- end }}

{{- define "inventory.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
# prometheus-flask-exporter's multiprocess files; fresh for every pod.
- name: prometheus-multiproc
  mountPath: /tmp/prometheus-multiproc
{{- if and .withBackups (eq .ctx.Values.backup.storage "pvc") }}
- name: backups
  mountPath: {{ .ctx.Values.backup.dir }}
{{- end }}
{{- end }}

{{/* Pod-level settings common to every app pod. */}}
{{- define "inventory.podCommon" -}}
serviceAccountName: {{ include "inventory.serviceAccountName" . }}
securityContext:
  {{- include "inventory.podSecurityContext" . | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Annotations that roll the pods when configuration changes. */}}
{{- define "inventory.podAnnotations" -}}
checksum/config: {{ include "inventory.configData" . | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
