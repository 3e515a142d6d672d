// How requests authenticate (services/edge/src/auth/auth.ts): one bearer credential, read from the
// Authorization header or, where a browser cannot set headers, from `?token=`.

export const securitySchemes = {
  jwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT (HS256, RS256 or ES256) with `exp`; its `tidings` claim names the channel patterns it may `subscribe` to, `publish` on and `consume` (consumer groups), and its `sub` is the device it speaks for. See SECURITY.md.',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`tk_<id>.<secret>`, made with POST /v1/admin/keys) sent as `Authorization: Bearer <key>`. Revocation applies on every node within seconds.',
  },
  tokenQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: 'The same JWT, API key or admin token as a query parameter, for clients that cannot set headers (EventSource, browser WebSocket). Ignored when an Authorization header is sent.',
  },
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The `--auth-admin-token` (also as `?token=`). Without one configured, the admin API is open in anonymous mode only.',
  },
};

/** Client routes: a JWT or an API key, or nothing in anonymous mode (`--allow-anonymous`). */
export const CLIENT_SECURITY = [{ jwt: [] }, { apiKey: [] }, { tokenQuery: [] }, {}];

/** Admin routes: the admin token, or nothing in anonymous mode when no admin token is configured. */
export const ADMIN_SECURITY = [{ adminToken: [] }, { tokenQuery: [] }, {}];

/** Health, metrics and this document: open to all. */
export const OPEN = [];
