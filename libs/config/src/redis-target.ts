import { ConfigError } from './config-error.js';

/** Where Redis lives: one server (ioredis takes the URL as is) or the seed nodes of a Cluster. */
export type RedisTarget =
  | { readonly kind: 'standalone'; readonly url: string }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly password?: string;
      readonly tls: boolean;
    };

const STANDALONE_SCHEMES = ['redis:', 'rediss:'];
const CLUSTER_SCHEMES: Record<string, boolean> = { 'redis-cluster://': false, 'rediss-cluster://': true };
const DEFAULT_PORT = 6379;

/**
 * Parses `redis://…` / `rediss://…` (standalone, handed to ioredis unchanged) and
 * `redis-cluster://[:password@]h1:p1,h2:p2` / `rediss-cluster://…` (TLS) into a target.
 * Throws ConfigError; the message never repeats the password.
 */
export function parseRedisUrl(s: string): RedisTarget {
  const target = readRedisUrl(s);
  if (typeof target === 'string') throw new ConfigError([`invalid Redis URL '${maskPassword(s)}': ${target}`]);
  return target;
}

/** The target, or what is wrong with the URL (without repeating it). */
export function readRedisUrl(s: string): RedisTarget | string {
  const cluster = Object.keys(CLUSTER_SCHEMES).find((prefix) => s.toLowerCase().startsWith(prefix));
  if (cluster !== undefined) return readClusterUrl(s.slice(cluster.length), CLUSTER_SCHEMES[cluster] ?? false);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined || !STANDALONE_SCHEMES.includes(`${scheme}:`)) {
    return 'must start with redis://, rediss://, redis-cluster:// or rediss-cluster://';
  }
  if (!URL.canParse(s)) return 'is not a valid URL; the form is redis://[:password@]host[:port][/db]';
  const url = new URL(s);
  if (url.hostname === '') return 'names no host';
  if (!/^\/?(\d{1,2})?$/.test(url.pathname)) return 'the path may only be a database number, as in redis://host:6379/0';
  return { kind: 'standalone', url: s };
}

function readClusterUrl(rest: string, tls: boolean): RedisTarget | string {
  const at = rest.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : rest.slice(0, at);
  let hostList = at === -1 ? rest : rest.slice(at + 1);
  if (hostList.endsWith('/')) hostList = hostList.slice(0, -1);
  if (/[/?#]/.test(hostList)) return 'a cluster URL takes no database, path or query: redis-cluster://h1:p1,h2:p2';
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    if (colon === -1) return 'credentials must be written :password@ (or default:password@)';
    const user = userinfo.slice(0, colon);
    if (user !== '' && user !== 'default') return 'ACL user names are not supported in cluster URLs; use :password@';
    try {
      password = decodeURIComponent(userinfo.slice(colon + 1));
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      return 'the password is not valid percent-encoding';
    }
  }
  const nodes: { host: string; port: number }[] = [];
  for (const entry of hostList.split(',')) {
    const node = readHostPort(entry.trim());
    if (typeof node === 'string') return node;
    nodes.push(node);
  }
  return password === undefined ? { kind: 'cluster', nodes, tls } : { kind: 'cluster', nodes, password, tls };
}

function readHostPort(entry: string): { host: string; port: number } | string {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(entry);
  if (!match) return `cluster node '${entry}' is not host:port`;
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (port < 1 || port > 65535) return `cluster node '${entry}' has a port outside 1..65535`;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Hides the password of `scheme://user:password@…` so URLs can go into messages and logs. */
export function maskPassword(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)@/, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon === -1 ? '***' : `${userinfo.slice(0, colon)}:***`}@`;
  });
}
