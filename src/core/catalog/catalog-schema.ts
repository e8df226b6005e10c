/** The published JSON Schema of a catalog document; `checkSchema` enforces exactly this object. */

const text = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const id = { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', maxLength: 128 } as const;
const scope = { type: 'string', minLength: 1, maxLength: 512 } as const;
const scopeList = { type: 'array', items: scope, maxItems: 1000 } as const;

const permission = {
  anyOf: [
    scope,
    {
      type: 'object',
      required: ['scope'],
      additionalProperties: false,
      properties: { scope, name: text, description: text },
    },
  ],
} as const;

/** JSON Schema (draft 2020-12) of a Tessera catalog. */
export const catalogSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://tessera.dev/schemas/catalog.json',
  title: 'Tessera catalog',
  type: 'object',
  required: ['version', 'name'],
  additionalProperties: false,
  properties: {
    version: { enum: [1] },
    name: text,
    description: text,
    services: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'name', 'groups'],
        additionalProperties: false,
        properties: {
          id,
          name: text,
          description: text,
          groups: {
            type: 'array',
            maxItems: 1000,
            items: {
              type: 'object',
              required: ['id', 'name', 'permissions'],
              additionalProperties: false,
              properties: {
                id,
                name: text,
                description: text,
                permissions: { type: 'array', items: permission, maxItems: 1000 },
              },
            },
          },
        },
      },
    },
    scopes: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        required: ['scope'],
        additionalProperties: false,
        properties: {
          scope,
          name: text,
          description: text,
          includes: scopeList,
          requires: { anyOf: [scope, scopeList] },
          standalone: { type: 'boolean' },
        },
      },
    },
    resources: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['type', 'name', 'actions'],
        additionalProperties: false,
        properties: {
          type: id,
          name: text,
          description: text,
          pattern: scope,
          actions: {
            type: 'array',
            minItems: 1,
            maxItems: 1000,
            items: {
              type: 'object',
              required: ['name'],
              additionalProperties: false,
              properties: { name: id, description: text },
            },
          },
        },
      },
    },
    templates: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'name', 'scopes'],
        additionalProperties: false,
        properties: { id, name: text, description: text, scopes: scopeList },
      },
    },
    endpoints: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        required: ['endpoint', 'scopes'],
        additionalProperties: false,
        properties: {
          endpoint: { type: 'string', pattern: '^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /\\S*$', maxLength: 2000 },
          name: text,
          description: text,
          scopes: { ...scopeList, minItems: 1 },
          auth: { enum: ['scopes', 'token'] },
          allowDelete: { type: 'boolean' },
        },
      },
    },
  },
} as const;

export type JsonSchema = {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'number' | 'integer';
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  required?: readonly string[];
  additionalProperties?: boolean;
  properties?: Readonly<Record<string, JsonSchema>>;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};
