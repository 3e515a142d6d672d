import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHelmValuesSchema } from '@tidings/config';
import { makeTempDir } from '@tidings/testing';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const CHART = fileURLToPath(new URL('../helm/tidings/', import.meta.url));
const FETCH_HELM = fileURLToPath(new URL('../tooling/fetch-helm.sh', import.meta.url));
const ROOT_PACKAGE = fileURLToPath(new URL('../../package.json', import.meta.url));

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext: Record<string, unknown>;
}

interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: Record<string, unknown>;
  containers: Container[];
}

/** Every kind the chart renders, with the Kubernetes (or prometheus-operator) schema it must satisfy. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'v1 ServiceAccount': ServiceAccount,
  'v1 ConfigMap': ConfigMap,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1 Ingress': Ingress,
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1 PrometheusRule': PrometheusRule,
};

/** Realistic value sets, by what they stand for. */
const VALUE_SETS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'Redis Cluster, ingress on, HPA off, ServiceMonitor, PrometheusRule, dashboards, existing Secrets': {
    redis: { url: 'redis-cluster://redis-cluster-0.redis-cluster-headless:6379,redis-cluster-1.redis-cluster-headless:6379', existingSecret: 'redis-cluster' },
    auth: { existingSecret: 'tidings-auth', apiKeysKey: 'api-keys.json', jwksKey: 'jwks.json' },
    edge: {
      ingress: { enabled: true, tlsSecret: 'tidings-tls' },
      autoscaling: { enabled: false },
      replicas: 4,
      config: { limits: { maxBodyBytes: 2_000_000, trustedProxies: ['10.0.0.1', '10.0.0.2'] }, cors: { origins: ['https://app.example.com'] }, shutdown: { graceSeconds: 30 } },
    },
    worker: { replicas: 2, webhookSecret: { existingSecret: 'tidings-webhook' }, config: { webhook: { url: 'https://hooks.example.com/dead' }, receipts: { maxRetries: 3 } } },
    serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
    prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
    dashboards: { enabled: true },
  },
  'LoadBalancer, public metrics, no worker, anonymous (a demo)': {
    redis: { url: 'redis://redis-master:6379' },
    auth: { allowAnonymous: true },
    edge: { service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }, publicMetrics: true, preStopSleepSeconds: 10, terminationGracePeriodSeconds: 60 },
    worker: { enabled: false },
    serviceMonitor: { enabled: true },
  },
  'MQTT over plain TCP on the edge Service': {
    redis: { url: 'redis://redis-master:6379' },
    edge: { config: { mqtt: { port: 1884 } }, service: { type: 'LoadBalancer' } },
  },
};

let helm: string;
let valuesDir: string;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function valuesFile(name: string, values: Record<string, unknown>): string {
  const path = join(valuesDir, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  writeFileSync(path, JSON.stringify(values));
  return path;
}

function render(values: Record<string, unknown>): K8sObject[] {
  const { status, stdout, stderr } = run(['template', 'tidings', CHART, '--namespace', 'notify', '-f', valuesFile('render', values)]);
  expect(stderr.replace(/^level=INFO msg="found symbolic link.*\n/gm, '')).toBe('');
  expect(status).toBe(0);
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const deployment = (objects: K8sObject[], component: string) => {
  const found = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith(`-${component}`));
  return found && ((found.spec as { template: { spec: PodSpec } }).template.spec);
};

/** The value of `--name=value` among a container's args. */
const flagValue = (args: readonly string[], name: string): string | undefined => args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);

beforeAll(() => {
  const fetched = spawnSync('bash', [FETCH_HELM], { encoding: 'utf8' });
  if (fetched.status !== 0) throw new Error(`could not install helm: ${fetched.stderr}`);
  helm = fetched.stdout.trim();
  valuesDir = makeTempDir('tidings-chart-values-');
}, 180_000);

describe('the Helm chart', () => {
  it('has a values.schema.json generated from the config schemas in libs/config', () => {
    expect(readFileSync(join(CHART, 'values.schema.json'), 'utf8')).toBe(renderHelmValuesSchema());
  });

  it('tags the image with the chart appVersion, which follows the package version', () => {
    const appVersion = /^appVersion: "(.+)"$/m.exec(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'))?.[1];
    expect(appVersion).toBe((JSON.parse(readFileSync(ROOT_PACKAGE, 'utf8')) as { version: string }).version);
    for (const component of ['edge', 'worker']) expect(deployment(render({}), component)?.containers[0]?.image).toBe(`tidings:${appVersion}`);
    expect(deployment(render({ image: { repository: 'registry.example.com/tidings', tag: 'pinned' } }), 'edge')?.containers[0]?.image).toBe('registry.example.com/tidings:pinned');
  });

  describe.each(Object.entries(VALUE_SETS))('with %s', (name, values) => {
    it('passes helm lint', () => {
      const { status, stdout } = run(['lint', CHART, '-f', valuesFile(name, values)]);
      expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
      expect(status).toBe(0);
    });

    it('renders objects that satisfy the Kubernetes schemas', () => {
      const objects = render(values);
      expect(objects.length).toBeGreaterThan(0);
      for (const object of objects) {
        const Model = MODELS[`${object.apiVersion} ${object.kind}`];
        expect(Model, `${object.apiVersion} ${object.kind} has no schema in this test`).toBeDefined();
        expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
      }
    });

    it('points every probe at a route the image serves, on a port the container declares and listens on', () => {
      const objects = render(values);
      for (const component of ['edge', 'worker']) {
        const pod = deployment(objects, component);
        if (!pod) continue;
        const [container] = pod.containers;
        const ports = new Map(container!.ports.map((p) => [p.name, p.containerPort]));
        const listensOn = new Map([
          ['http', Number(flagValue(container!.args, '--port'))],
          ['metrics', Number(flagValue(container!.args, '--metrics-port'))],
        ]);
        for (const probe of [container!.readinessProbe, container!.livenessProbe]) {
          expect(['/readyz', '/healthz']).toContain(probe.httpGet.path);
          expect(ports.get(probe.httpGet.port)).toBe(listensOn.get(probe.httpGet.port));
        }
        // Readiness is what flips when an edge drains.
        expect(container!.readinessProbe.httpGet.path).toBe('/readyz');
      }
    });

    it('gives an edge pod enough grace to wait out preStop and drain', () => {
      const pod = deployment(render(values), 'edge')!;
      const [container] = pod.containers;
      const [sleep, seconds] = container!.lifecycle!.preStop!.exec!.command;
      expect(sleep).toBe('sleep');
      const drain = Number(flagValue(container!.args, '--shutdown-grace-seconds') ?? 10);
      expect(Number(seconds) + drain).toBeLessThanOrEqual(pod.terminationGracePeriodSeconds);
    });

    it('runs as non-root on a read-only root filesystem', () => {
      const objects = render(values);
      for (const component of ['edge', 'worker']) {
        const pod = deployment(objects, component);
        if (!pod) continue;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
        expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      }
    });

    it('references Secrets and never inlines one', () => {
      const objects = render(values);
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      for (const component of ['edge', 'worker']) {
        const pod = deployment(objects, component);
        if (!pod) continue;
        const [container] = pod.containers;
        for (const variable of container!.env ?? []) {
          if (/SECRET|TOKEN|PASSWORD/.test(variable.name)) {
            expect(variable.value, variable.name).toBeUndefined();
            expect(variable.valueFrom?.secretKeyRef?.name, variable.name).toBeTruthy();
          }
        }
        expect(container!.args.join(' ')).not.toMatch(/secret|token|password/i);
        const redisUrl = container!.env?.find((v) => v.name === 'REDIS_URL')?.value ?? '';
        expect(redisUrl.replace('$(REDIS_PASSWORD)', '')).not.toMatch(/:[^/:@]+@/);
      }
    });
  });

  it('hides /metrics from the public port unless asked, and serves it on the ops port', () => {
    const args = (values: Record<string, unknown>) => deployment(render(values), 'edge')!.containers[0]!.args;
    expect(flagValue(args({}), '--metrics-public-route')).toBe('off');
    expect(flagValue(args({ edge: { publicMetrics: true } }), '--metrics-public-route')).toBe('on');
    const service = render({}).find((o) => o.kind === 'Service' && o.metadata.name.endsWith('-edge-metrics'));
    expect(service?.spec).toMatchObject({ type: 'ClusterIP' });
  });

  it('serves MQTT over TCP on the edge Service only when edge.config.mqtt.port is set', () => {
    const edgeService = (objects: K8sObject[]) => objects.find((o) => o.kind === 'Service' && o.metadata.name.endsWith('-edge'))!;
    const portsOf = (service: K8sObject) => (service.spec as { ports: { name: string; port: number; targetPort: string }[] }).ports;
    expect(portsOf(edgeService(render({}))).map((p) => p.name)).toEqual(['http']);
    expect(deployment(render({}), 'edge')!.containers[0]!.ports.map((p) => p.name)).not.toContain('mqtt');

    const objects = render(VALUE_SETS['MQTT over plain TCP on the edge Service']!);
    const [container] = deployment(objects, 'edge')!.containers;
    expect(flagValue(container!.args, '--mqtt-port')).toBe('1884');
    expect(container!.ports).toContainEqual(expect.objectContaining({ name: 'mqtt', containerPort: 1884 }));
    expect(portsOf(edgeService(objects))).toContainEqual({ name: 'mqtt', port: 1883, targetPort: 'mqtt', protocol: 'TCP' });
  });

  it('passes edge.config and worker.config to the binaries as flags', () => {
    const objects = render(VALUE_SETS['Redis Cluster, ingress on, HPA off, ServiceMonitor, PrometheusRule, dashboards, existing Secrets']!);
    expect(deployment(objects, 'edge')!.containers[0]!.args).toEqual(
      expect.arrayContaining(['--limits-max-body-bytes=2000000', '--limits-trusted-proxies=10.0.0.1,10.0.0.2', '--cors-origins=https://app.example.com', '--shutdown-grace-seconds=30']),
    );
    expect(deployment(objects, 'worker')!.containers[0]!.args).toEqual(expect.arrayContaining(['--webhook-url=https://hooks.example.com/dead', '--receipts-max-retries=3']));
  });

  it('ships the alert rules and every dashboard of deploy/ as they are', () => {
    const objects = render(VALUE_SETS['Redis Cluster, ingress on, HPA off, ServiceMonitor, PrometheusRule, dashboards, existing Secrets']!);
    const rule = objects.find((o) => o.kind === 'PrometheusRule')!;
    const groups = (rule.spec as { groups: { rules: { alert: string }[] }[] }).groups;
    expect(groups.flatMap((g) => g.rules.map((r) => r.alert))).toContain('TidingsEdgeDown');
    const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.['grafana_dashboard'] === '1');
    expect(dashboards.map((d) => Object.keys(d.data!)[0]).sort()).toEqual(['tidings-delivery.json', 'tidings-edges.json', 'tidings-overview.json', 'tidings-worker-redis.json']);
    for (const d of dashboards) {
      const [file, json] = Object.entries(d.data!)[0]!;
      expect(json).toBe(readFileSync(fileURLToPath(new URL(`../grafana/${file}`, import.meta.url)), 'utf8').trimEnd());
    }
  });

  it.each([
    ['an option the binary does not have', { edge: { config: { limits: { maxBodyBites: 1 } } } }, /additional properties 'maxBodyBites' not allowed/],
    ['an option out of range', { edge: { config: { limits: { maxBodyBytes: 0 } } } }, /maxBodyBytes/],
    ['an option the chart sets itself', { edge: { config: { port: 1 } } }, /additional properties 'port' not allowed/],
    ['a grace period too short to drain', { edge: { terminationGracePeriodSeconds: 12 } }, /shorter than preStopSleepSeconds/],
    ['a webhook without its signing Secret', { worker: { config: { webhook: { url: 'https://hooks.example.com' } } } }, /worker.webhookSecret.existingSecret/],
  ])('refuses %s, saying why', (_what, values, message) => {
    const { status, stderr } = run(['template', 'tidings', CHART, '-f', valuesFile('refused', values)]);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(message);
  });
});
