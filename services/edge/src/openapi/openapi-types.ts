// The few building blocks every part of the OpenAPI document uses. The document is plain data
// (JSON Schema 2020-12 inside OpenAPI 3.1), so the types stay loose on purpose.

export type Schema = { readonly [keyword: string]: unknown };
export type Operation = { readonly [field: string]: unknown };
export type PathItem = { readonly [method: string]: Operation | readonly unknown[] };

export function ref(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

export function json(schema: Schema): Schema {
  return { 'application/json': { schema } };
}

/** A success answer with a JSON body. */
export function jsonAnswer(description: string, schemaName: string): Schema {
  return { description, content: json(ref(schemaName)) };
}

/** A JSON request body. */
export function jsonBody(schemaName: string, required = true): Schema {
  return { required, content: json(ref(schemaName)) };
}
