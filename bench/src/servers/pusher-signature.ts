// Signs a Pusher HTTP API request (what soketi checks on POST /apps/{id}/events): the query carries
// auth_key, auth_timestamp, auth_version and body_md5, and auth_signature is the HMAC-SHA256 (hex)
// of "METHOD\nPATH\nSORTED_QUERY" under the app secret.
import { createHash, createHmac } from 'node:crypto';

export interface PusherApp {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
}

/** The signed path and query of a POST of `body` to `path`, at `timestamp` (seconds). */
export function signedPusherPath(app: PusherApp, path: string, body: string, timestamp: number): string {
  const params: Record<string, string> = {
    auth_key: app.key,
    auth_timestamp: String(timestamp),
    auth_version: '1.0',
    body_md5: createHash('md5').update(body).digest('hex'),
  };
  const query = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const signature = createHmac('sha256', app.secret).update(`POST\n${path}\n${query}`).digest('hex');
  return `${path}?${query}&auth_signature=${signature}`;
}
