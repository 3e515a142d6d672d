import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTempDir, removeTempDir, spawnTracked, stopProcess, waitUntil } from '@tidings/testing';

export interface ScrapeJob {
  readonly name: string;
  /** host:port of each /metrics to scrape. */
  readonly targets: readonly string[];
}

export interface PrometheusServer {
  readonly url: string;
  /** GET /api/v1/query at the current time; the whole JSON answer. */
  query(expr: string): Promise<PrometheusAnswer>;
  stop(): Promise<void>;
}

export interface PrometheusAnswer {
  readonly status: 'success' | 'error';
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: readonly unknown[] };
}

/**
 * A real Prometheus (Debian's package) on a free port — never the packaged service's 9090 —
 * scraping `jobs` every second with `ruleFiles` loaded, its data in a temporary directory.
 */
export async function startPrometheus(jobs: readonly ScrapeJob[], ruleFiles: readonly string[]): Promise<PrometheusServer> {
  const dir = makeTempDir('tidings-prometheus-');
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: jobs.map((job) => ({ job_name: job.name, static_configs: [{ targets: job.targets }] })),
  };
  // JSON is YAML: no YAML library needed.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const child = spawnTracked('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const ready = async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output.join('')}`);
    return fetch(`${url}/-/ready`).then((res) => res.ok, () => false);
  };
  await waitUntil(ready, 'prometheus to be ready', 30_000);
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      return (await res.json()) as PrometheusAnswer;
    },
    async stop() {
      await stopProcess(child);
      removeTempDir(dir);
    },
  };
}
