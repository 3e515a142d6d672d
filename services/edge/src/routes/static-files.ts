import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Headers of its own: the console's lockdown. */
  readonly headers?: Readonly<Record<string, string>>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/**
 * The console holds the admin token: it runs only its own scripts, talks only to this origin, and
 * is never framed (clickjacking) nor cached, and leaks no referrer.
 */
const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The demo page, the console and the client's browser bundle, read once at start-up
 * into a fixed table: requests can only name files in it, so no path ever reaches the disk.
 */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  addDir(files, '/', new URL('../../static/', import.meta.url));
  addDir(files, '/lib/', new URL('../../../../libs/client/dist/browser/', import.meta.url));
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  const consolePage = files.get('/console.html');
  if (consolePage) files.set('/console', { ...consolePage, headers: CONSOLE_HEADERS });
  files.delete('/console.html'); // one address, always with its headers
  return files;
}

function addDir(files: Map<string, StaticFile>, prefix: string, dir: URL): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // not built: the route answers 404, the rest of the node works
  }
  for (const name of names) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type) files.set(prefix + name, { body: readFileSync(fileURLToPath(new URL(name, dir))), contentType: type });
  }
}
