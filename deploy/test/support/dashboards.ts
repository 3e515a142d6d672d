import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly datasource: { readonly type: string; readonly uid: string };
}

export interface DashboardPanel {
  readonly id: number;
  readonly title: string;
  readonly type: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource: { readonly type: string; readonly uid: string };
  readonly targets: readonly DashboardTarget[];
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly allValue?: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly templating: { readonly list: readonly DashboardVariable[] };
  readonly panels: readonly DashboardPanel[];
}

export const GRAFANA_DIR = fileURLToPath(new URL('../../grafana/', import.meta.url));

/** Every dashboard in deploy/grafana, by file name. */
export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(GRAFANA_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(`${GRAFANA_DIR}${file}`, 'utf8')) as Dashboard }));
}

/**
 * A panel's PromQL as Grafana would send it with every filter on "All": template variables become
 * their allValue and the rate interval a window several scrapes wide.
 */
export function substituteVariables(expr: string, dashboard: Dashboard, rateInterval: string): string {
  let text = expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$__interval', rateInterval);
  for (const variable of dashboard.templating.list) {
    if (variable.type === 'query') text = text.replaceAll(`$${variable.name}`, variable.allValue ?? '.*');
  }
  return text;
}
