// Who the console acts as. The admin token opens /v1/admin/*; for everything else (tail, publish,
// presence, receipts) the edge mints a short-lived token with every right, which lives in this
// module's memory only: never in a URL, never in storage (see SECURITY.md, "The web console").

const KEPT = 'tidings-console-admin-token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The admin token kept for this tab, if the user asked to keep it. */
export const keptAdminToken = () => sessionStorage.getItem(KEPT) ?? '';

export function forgetAdminToken() {
  sessionStorage.removeItem(KEPT);
}

/**
 * Signs in: asks the edge for a console token, which proves the admin token. An empty admin token
 * is how an anonymous development node is opened (it answers with no token to use).
 */
export async function signIn(adminToken, keep) {
  const session = new ConsoleSession(adminToken);
  await session.renew();
  if (keep && adminToken) sessionStorage.setItem(KEPT, adminToken);
  else forgetAdminToken();
  return session;
}

class ConsoleSession {
  #adminToken;
  #minted = { token: null };
  /** Half-way through the token's life by this browser's clock, whatever the server's says. */
  #renewAt = 0;
  /** One renewal at a time, however many requests find the token old. */
  #renewing;

  constructor(adminToken) {
    this.#adminToken = adminToken;
  }

  get anonymous() {
    return this.#minted.token === null;
  }

  async renew() {
    const askedAt = Date.now();
    this.#minted = await call('POST', '/v1/admin/console-token', this.#adminToken);
    this.#renewAt = askedAt + (this.#minted.expiresIn ?? 0) * 500;
  }

  /** What the client library and the console's own requests present; undefined on an anonymous node. */
  streamToken = async () => {
    if (this.anonymous) return undefined;
    if (Date.now() >= this.#renewAt) await (this.#renewing ??= this.renew().finally(() => (this.#renewing = undefined)));
    return this.#minted.token;
  };

  /** GET an admin route. */
  admin(path) {
    return call('GET', path, this.#adminToken);
  }

  /** GET a channel route with the console token. */
  async channelApi(path) {
    return call('GET', path, await this.streamToken());
  }
}

async function call(method, path, token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(path, { method, headers, cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body.error ?? {};
    throw new ApiError(response.status, error.code ?? 'HTTP', error.message ?? `${method} ${path} answered ${response.status}`);
  }
  return body;
}
