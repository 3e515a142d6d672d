import { isJsonObject, parseSubscription, TidingsError } from '@tidings/protocol';

/** What an API key is called and may do, as an admin asks for it (POST /v1/admin/keys) or a seed file lists it. */
export interface ApiKeyGrants {
  readonly name: string;
  readonly publish: string[];
  readonly subscribe: string[];
  readonly consume: string[];
}

const MAX_PATTERNS = 256;
const NAME_RE = /^[\x20-\x7e]{1,100}$/;
const GRANT_FIELDS = ['name', 'publish', 'subscribe', 'consume'];

/**
 * Checks a key description; `extra` names the other fields its source allows. Throws
 * TIDINGS_BODY_INVALID naming the first problem.
 */
export function parseApiKeyGrants(json: unknown, extra: readonly string[] = []): ApiKeyGrants {
  if (!isJsonObject(json)) throw invalid('a key must be a JSON object');
  for (const key of Object.keys(json)) if (!GRANT_FIELDS.includes(key) && !extra.includes(key)) throw invalid(`unknown key "${key}"`);
  const { name, publish = [], subscribe = [], consume = [] } = json as { name?: unknown; publish?: unknown; subscribe?: unknown; consume?: unknown };
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw invalid('name must be 1-100 printable ASCII characters');
  const patterns = (value: unknown, field: string): string[] => {
    if (!Array.isArray(value) || value.length > MAX_PATTERNS || !value.every((p) => typeof p === 'string')) {
      throw invalid(`${field} must be a list of at most ${MAX_PATTERNS} channels or patterns`);
    }
    for (const pattern of value) parseSubscription(pattern);
    return value as string[];
  };
  const grants = { publish: patterns(publish, 'publish'), subscribe: patterns(subscribe, 'subscribe'), consume: patterns(consume, 'consume') };
  if (grants.publish.length + grants.subscribe.length + grants.consume.length === 0) throw invalid('a key must grant something: publish, subscribe or consume patterns');
  return { name, ...grants };
}

function invalid(message: string): TidingsError {
  return new TidingsError('TIDINGS_BODY_INVALID', message);
}
