import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { edgeConfigSchema } from './edge-config.js';
import { optionRegistry } from './option-schema.js';
import { workerConfigSchema } from './worker-config.js';

type JsonSchema = Record<string, unknown>;

/**
 * Options the chart sets itself, from its own values (ports, Redis, Secrets, node names): leaving
 * them out of `edge.config` / `worker.config` means a values file cannot set them twice.
 */
const EDGE_MANAGED = ['nodeId', 'host', 'port', 'processes', 'redis', 'allowAnonymous', 'allowJsFallback', 'auth.jwtSecret', 'auth.adminToken', 'auth.apiKeysFile', 'auth.jwtPublicKeyFile', 'auth.jwksFile', 'metrics'];
const WORKER_MANAGED = ['workerId', 'redis', 'webhook.secret', 'metrics'];

/** The JSON Schema of a config schema's input, every option optional and described, chart-managed ones left out. */
function configValuesSchema(schema: z.ZodObject, managed: readonly string[]): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const meta = optionRegistry.get(zodSchema as never);
      if (meta) jsonSchema['description'] = meta.description;
      // Defaults live in the binary (some are computed on the machine, like the node id); the chart passes only what is set.
      delete jsonSchema['default'];
    },
  }) as JsonSchema;
  delete json['$schema'];
  for (const path of managed) removePath(json, path.split('.'));
  dropRequired(json);
  return json;
}

function removePath(json: JsonSchema, path: readonly string[]): void {
  const properties = json['properties'] as Record<string, JsonSchema> | undefined;
  if (!properties) return;
  const [head, ...rest] = path;
  if (rest.length === 0) delete properties[head!];
  else if (properties[head!]) removePath(properties[head!]!, rest);
}

/** Every option has a default in the binary, so none is required in values. */
function dropRequired(json: JsonSchema): void {
  delete json['required'];
  for (const child of Object.values((json['properties'] as Record<string, JsonSchema> | undefined) ?? {})) dropRequired(child);
}

const port = (description: string) => ({ type: 'integer', minimum: 1, maximum: 65535, description });
const text = (description: string) => ({ type: 'string', description });
const flag = (description: string) => ({ type: 'boolean', description });
const object = (properties: Record<string, unknown>, description?: string) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(description ? { description } : {}),
});
const freeForm = (description: string) => ({ type: 'object', description });
const labels = (description: string) => ({ type: 'object', additionalProperties: { type: 'string' }, description });
const secretRef = (keys: Record<string, string>, description: string) =>
  object({ existingSecret: text('Name of a Secret in the release namespace; never inlined in the chart.'), ...Object.fromEntries(Object.entries(keys).map(([k, d]) => [k, text(d)])) }, description);
const podPlacement = {
  resources: freeForm('Container resources (requests and limits).'),
  nodeSelector: labels('Node labels the pods must match.'),
  tolerations: { type: 'array', description: 'Pod tolerations.' },
  affinity: freeForm('Pod affinity rules.'),
  podAnnotations: labels('Annotations added to the pods.'),
  podLabels: labels('Labels added to the pods.'),
};

/** deploy/helm/tidings/values.schema.json: the chart's own values, with the edge and worker options from the config schemas. */
export function renderHelmValuesSchema(): string {
  const schema = {
    $schema: 'https://json-schema.org/draft-07/schema#',
    title: 'Tidings Helm chart values',
    description: 'Generated from libs/config (renderHelmValuesSchema). Do not edit by hand: node libs/config/dist/generate-helm-values-schema.js > deploy/helm/tidings/values.schema.json',
    ...object({
      nameOverride: text('Replaces the chart name in object names.'),
      fullnameOverride: text('Replaces the release-chart name of every object.'),
      image: object({
        repository: text('Image repository.'),
        tag: text('Image tag; empty follows the chart appVersion.'),
        pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'], description: 'Image pull policy.' },
      }),
      imagePullSecrets: { type: 'array', items: object({ name: text('Secret name.') }), description: 'Secrets for pulling the image.' },
      serviceAccount: object({ create: flag('Create a service account.'), name: text('Its name; empty derives one.'), annotations: labels('Its annotations.') }),
      podSecurityContext: freeForm('Pod security context (non-root by default).'),
      securityContext: freeForm('Container security context (read-only root, no privilege escalation, no capabilities by default).'),
      redis: object(
        {
          url: text('redis://host:port or redis-cluster://host1:port1,host2:port2 — without a password; see redis.existingSecret.'),
          existingSecret: text('Secret holding the Redis password (optional); the chart never inlines it.'),
          passwordKey: text('Key of the password in that Secret.'),
        },
        'Redis (standalone or Cluster), installed separately (docs/operations.md).',
      ),
      auth: object({
        allowAnonymous: flag('Accept clients without credentials, with every right. Development only; off by default.'),
        existingSecret: text('Secret holding the edge credentials below; the chart never inlines them.'),
        jwtSecretKey: text('Key of the HS256 token secret in that Secret (optional).'),
        adminTokenKey: text('Key of the admin-API bearer token (optional).'),
        apiKeysKey: text('Key of the publisher API keys seed file, JSON (optional; see docs/operations.md).'),
        jwksKey: text('Key of a JWKS document of RS256/ES256 public keys (optional).'),
      }),
      edge: object({
        replicas: { type: 'integer', minimum: 1, description: 'Edge pods when the HPA is off.' },
        port: port('Public port in the pod (SSE, WebSocket, long-poll, publish).'),
        metricsPort: port('Ops port in the pod: /metrics, /healthz, /readyz.'),
        publicMetrics: flag('Also answer GET /metrics on the public port. Off: scrapes stay on the ops port.'),
        preStopSleepSeconds: { type: 'integer', minimum: 0, maximum: 300, description: 'Wait before SIGTERM so that load balancers stop sending new clients first.' },
        terminationGracePeriodSeconds: {
          type: 'integer',
          minimum: 0,
          description: 'Pod grace period; 0 computes preStop + edge.config.shutdown.graceSeconds + a margin. A set value too short to drain is refused.',
        },
        service: object({
          type: { enum: ['ClusterIP', 'LoadBalancer', 'NodePort'], description: 'Service type.' },
          port: port('Service port.'),
          mqttPort: port('Service port for MQTT over plain TCP, served when edge.config.mqtt.port is set.'),
          annotations: labels('Service annotations (cloud load balancer settings).'),
          externalTrafficPolicy: { enum: ['Cluster', 'Local'], description: 'For LoadBalancer and NodePort services.' },
        }),
        ingress: object({
          enabled: flag('Create an Ingress.'),
          className: text('IngressClass name.'),
          host: text('Host name.'),
          tlsSecret: text('TLS Secret name; empty serves plain HTTP.'),
          annotations: labels('Ingress annotations; the defaults turn off response buffering and lengthen timeouts for SSE and WebSocket (ingress-nginx).'),
        }),
        autoscaling: object({
          enabled: flag('Create a HorizontalPodAutoscaler.'),
          minReplicas: { type: 'integer', minimum: 1, description: 'Fewest edge pods.' },
          maxReplicas: { type: 'integer', minimum: 1, description: 'Most edge pods.' },
          targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100, description: 'CPU use the HPA aims for.' },
        }),
        podDisruptionBudget: object({ enabled: flag('Create a PodDisruptionBudget.'), maxUnavailable: { type: 'integer', minimum: 1, description: 'Edge pods a voluntary disruption may take at once.' } }),
        topologySpread: flag('Spread edge pods over nodes and zones.'),
        ...podPlacement,
        config: { ...configValuesSchema(edgeConfigSchema, EDGE_MANAGED), description: 'Any `tidings edge` option by its path (docs/config.md), passed as flags.' },
      }),
      worker: object({
        enabled: flag('Run the worker (receipt retries, dead letters, pruning).'),
        replicas: { type: 'integer', minimum: 0, description: 'Worker pods.' },
        metricsPort: port('Ops port in the pod: /metrics, /healthz, /readyz.'),
        webhookSecret: secretRef({ key: 'Key of the webhook HMAC secret in that Secret.' }, 'The dead-letter webhook signing secret (needed with worker.config.webhook.url).'),
        ...podPlacement,
        config: { ...configValuesSchema(workerConfigSchema, WORKER_MANAGED), description: 'Any `tidings worker` option by its path (docs/config.md), passed as flags.' },
      }),
      serviceMonitor: object({ enabled: flag('Create prometheus-operator ServiceMonitors (jobs tidings-edge and tidings-worker).'), interval: text('Scrape interval.'), labels: labels('Labels your Prometheus selects ServiceMonitors by.') }),
      prometheusRule: object({ enabled: flag('Create a PrometheusRule with the alert rules of deploy/prometheus.'), labels: labels('Labels your Prometheus selects rules by.') }),
      dashboards: object({ enabled: flag('Create ConfigMaps with the Grafana dashboards, for the Grafana sidecar.'), labels: labels('Labels the sidecar looks for.'), annotations: labels('Annotations (e.g. the sidecar folder).') }),
    }),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.stdout.write(renderHelmValuesSchema());
}
