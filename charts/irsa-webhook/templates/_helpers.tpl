{{/* Chart name, overridable; 63 characters at most (the DNS label limit). */}}
{{- define "irsa-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Base name of the objects: fullnameOverride, else the release name when it already contains the
chart name, else "<release>-<chart>".
*/}}
{{- define "irsa-webhook.fullname" -}}
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

{{- define "irsa-webhook.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "irsa-webhook.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels that select the webhook pods; never change them between releases. */}}
{{- define "irsa-webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "irsa-webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "irsa-webhook.labels" -}}
helm.sh/chart: {{ include "irsa-webhook.chart" . }}
{{ include "irsa-webhook.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: webhook
app.kubernetes.io/part-of: irsa-webhook
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "irsa-webhook.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "irsa-webhook.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "registry/repository:tag", or "...@digest" when a digest is given. */}}
{{- define "irsa-webhook.image" -}}
{{- $repo := .Values.image.repository }}
{{- /* A repository that names its own registry (a first part with a dot or a port, or
       localhost, as container runtimes read it) is used as it is: the default registry in
       front of 123456789012.dkr.ecr.eu-west-1.amazonaws.com/irsa-webhook would break it. */ -}}
{{- $first := first (splitList "/" $repo) }}
{{- $ownRegistry := and (contains "/" $repo) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) }}
{{- if not $ownRegistry }}
{{- with .Values.image.registry }}
{{- $repo = printf "%s/%s" . $repo }}
{{- end }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (toString (default .Chart.AppVersion .Values.image.tag)) }}
{{- end }}
{{- end }}

{{/* Whether the webhook watches the pod-identity-webhook ConfigMap. */}}
{{- define "irsa-webhook.watchConfigMap" -}}
{{- if or .Values.config.watchConfigMap .Values.config.podIdentityWebhookMap.enabled }}true{{ end }}
{{- end }}

{{/* Name of the ConfigMap the role policy is mounted from: existingConfigMap, else the chart's. */}}
{{- define "irsa-webhook.rolePolicyConfigMapName" -}}
{{- if .Values.rolePolicy.existingConfigMap }}
{{- .Values.rolePolicy.existingConfigMap }}
{{- else }}
{{- /* 51 + "-role-policy" stays within the 63 characters of a name. */ -}}
{{- printf "%s-role-policy" (include "irsa-webhook.fullname" . | trunc 51 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/*
Whether the webhook reads namespace labels for the role policy: some rule has a namespaceSelector.
A ConfigMap of the user's own cannot be read at render time, so it counts as having one.
*/}}
{{- define "irsa-webhook.rolePolicyReadsNamespaces" -}}
{{- if .Values.rolePolicy.enabled }}
{{- if .Values.rolePolicy.existingConfigMap }}true
{{- else }}
{{- $selector := false }}
{{- range (.Values.rolePolicy.policy.rules | default list) }}
{{- if hasKey . "namespaceSelector" }}
{{- $selector = true }}
{{- end }}
{{- end }}
{{- if $selector }}true{{ end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Certificate mode, one of: cert-manager, existing-secret, inline, helm-generated. The order keeps
the community chart's meaning of pki.* (cert-manager first, then existingSecret, then cert/key).
*/}}
{{- define "irsa-webhook.certMode" -}}
{{- if .Values.pki.certManager.enabled }}cert-manager
{{- else if .Values.pki.existingSecret }}existing-secret
{{- else if or .Values.pki.cert .Values.pki.key }}inline
{{- else }}helm-generated
{{- end }}
{{- end }}

{{/* Name of the Secret the serving certificate is mounted from. */}}
{{- define "irsa-webhook.certSecretName" -}}
{{- if eq (include "irsa-webhook.certMode" .) "existing-secret" }}
{{- .Values.pki.existingSecret }}
{{- else }}
{{- printf "%s-cert" (include "irsa-webhook.fullname" .) }}
{{- end }}
{{- end }}

{{/*
The Helm-generated CA and serving certificate, as a dict {ca, cert, key} of PEM strings. Computed
once per render and kept in .Values, so the Secret and the webhook's caBundle agree. An existing
Secret of the release (found through lookup on install/upgrade) is reused, so upgrades do not
rotate the CA; `helm template` cannot look up and generates new ones on every run.
*/}}
{{- define "irsa-webhook.generatedCerts" -}}
{{- if not (hasKey .Values "__irsaWebhookGeneratedCerts") }}
{{- $ns := include "irsa-webhook.namespace" . }}
{{- $secretName := include "irsa-webhook.certSecretName" . }}
{{- $certs := dict }}
{{- $existing := lookup "v1" "Secret" $ns $secretName }}
{{- if and $existing $existing.data }}
{{- if and (index $existing.data "ca.crt") (index $existing.data "tls.crt") (index $existing.data "tls.key") }}
{{- $certs = dict "ca" (index $existing.data "ca.crt" | b64dec) "cert" (index $existing.data "tls.crt" | b64dec) "key" (index $existing.data "tls.key" | b64dec) }}
{{- end }}
{{- end }}
{{- if not $certs }}
{{- $svc := include "irsa-webhook.fullname" . }}
{{- $days := int .Values.pki.helmGenerated.validityDays }}
{{- $ca := genCA (printf "%s-ca" $svc) $days }}
{{- $sans := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) }}
{{- $leaf := genSignedCert (printf "%s.%s.svc" $svc $ns) nil $sans $days $ca }}
{{- $certs = dict "ca" $ca.Cert "cert" $leaf.Cert "key" $leaf.Key }}
{{- end }}
{{- $_ := set .Values "__irsaWebhookGeneratedCerts" $certs }}
{{- end }}
{{- toJson (index .Values "__irsaWebhookGeneratedCerts") }}
{{- end }}

{{/* seconds the pod gets after SIGTERM; fails when it would cut the drain short. */}}
{{- define "irsa-webhook.terminationGracePeriodSeconds" -}}
{{- $needed := add .Values.config.shutdownDelaySeconds .Values.config.shutdownTimeoutSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $needed 5 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.shutdownDelaySeconds + config.shutdownTimeoutSeconds (%v)" .Values.terminationGracePeriodSeconds $needed) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}
