const SECRET_QUERY = /([?&](?:token|key)=)[^&#]*/gi;
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)@/;

/**
 * A URL (or path with a query) fit for logs: `token=` and `key=` query values — where
 * EventSource clients must put credentials, since they cannot send headers — and the password
 * of `scheme://user:password@host` are replaced with `[redacted]`.
 */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]').replace(USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon === -1 ? '[redacted]' : `${userinfo.slice(0, colon)}:[redacted]`}@`;
  });
}
