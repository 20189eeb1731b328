{{/*
Shared names, labels and small fragments. Object names are fixed (one install per cluster): the
proxies, agents and gateway find traffic-control by its Service name.
*/}}

{{/* Labels on every object: call with (dict "root" $ "name" "traffic-control" "component" "control"). */}}
{{- define "tm.labels" -}}
{{ include "tm.selectorLabels" . }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: traffic-manager
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The subset used in selectors: immutable across upgrades. */}}
{{- define "tm.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* <repository>:<tag>, the tag defaulting to the chart's appVersion. Call with (dict "root" $ "image" .Values.x.image). */}}
{{- define "tm.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}

{{/* The fully qualified name of a Service of this release: (dict "root" $ "name" "traffic-control"). */}}
{{- define "tm.fqdn" -}}
{{- printf "%s.%s.svc.%s" .name .root.Release.Namespace .root.Values.clusterDomain }}
{{- end }}

{{/* traffic-control's ADS address as the proxies and agents dial it. */}}
{{- define "tm.xdsHost" -}}
{{- include "tm.fqdn" (dict "root" . "name" "traffic-control") }}
{{- end }}

{{/* The Zipkin collector host:port, or "" when tracing is off. */}}
{{- define "tm.zipkinAddress" -}}
{{- $external := .Values.tracing.zipkinAddress }}
{{- if $external }}
{{- if not (regexMatch "^[A-Za-z0-9.-]+:[0-9]{1,5}$" $external) }}
{{- fail (printf "tracing.zipkinAddress must be host:port, got %q" $external) }}
{{- end }}
{{- $external }}
{{- else if .Values.zipkin.enabled }}
{{- printf "%s:%d" (include "tm.fqdn" (dict "root" . "name" "traffic-zipkin")) (int .Values.zipkin.port) }}
{{- end }}
{{- end }}

{{/* A preferred anti-affinity spreading the pods of one component across nodes: (dict "root" $ "name" "..."). */}}
{{- define "tm.spreadAffinity" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "tm.selectorLabels" . | nindent 12 }}
{{- end }}

{{/* The container securityContext of the non-root components. */}}
{{- define "tm.restrictedContainer" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end }}
