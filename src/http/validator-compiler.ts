/**
 * Request validation: bodies are checked strictly (no type coercion: `"enabled": "yes"` or `"scopes": "a:b"`
 * is an error naming the field), while query strings, path parameters and headers, which are text by nature,
 * are coerced to the declared types.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyReply, FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { badRequest } from '../core/errors.js';
import { MAX_JSON_DEPTH, hostileJsonField } from '../core/json-depth.js';

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ useDefaults: true, removeAdditional: false, allErrors: false, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

/** A body schema compiled as {@link createValidatorCompiler} compiles bodies, for a reader outside Fastify's routing. */
export function compileBodyValidator(schema: object) {
  return makeAjv({ coerceTypes: false }).compile(schema);
}

export function createValidatorCompiler(sharedSchemas: object[]): FastifySchemaCompiler<FastifySchema> {
  const strict = makeAjv({ coerceTypes: false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  for (const schema of sharedSchemas) {
    strict.addSchema(schema);
    coercing.addSchema(schema);
  }
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}

/**
 * A `preValidation` hook for every route: a body field nested deeper than {@link MAX_JSON_DEPTH} is refused naming
 * it, before validation, logging or any JSON.stringify could recurse through it and exhaust the stack (a 5,000-level
 * `metadata` used to end in a 500); and so is U+0000 in any string of the body, query or path, which PostgreSQL
 * cannot store (a NUL in a token name or a `tokenId` filter used to end in a 500 there).
 */
export function refuseHostileJson(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  const found = hostileJsonField(request.body) ?? hostileJsonField(request.query, MAX_JSON_DEPTH, 'query') ?? hostileJsonField(request.params, MAX_JSON_DEPTH, 'path');
  // A callback rather than an async hook: no promise and no extra tick on every request.
  done(found === null ? undefined : badRequest(found.field, found.problem));
}
