/** Prefixed public ids, one table for every kind of object (`tok_…`, `acc_…`, `evt_…`). */
import { generateRandomString } from './token-format.js';

export const idPrefixes = {
  account: 'acc',
  token: 'tok',
  auditEvent: 'evt',
  request: 'req',
  usageEvent: 'use',
  signingKey: 'key',
  issuedToken: 'jti',
  identity: 'idn',
  webhookEndpoint: 'whk',
  webhookEvent: 'msg',
  /** A running service instance (the credits heartbeat, docs/limits.md). */
  instance: 'ins',
} as const satisfies Record<string, string>;

export type IdKind = keyof typeof idPrefixes;

/** 22 base62 characters carry about 131 random bits: unguessable and collision-free in practice. */
const ID_RANDOM_LENGTH = 22;

export function newId(kind: IdKind, randomBytes: (n: number) => Uint8Array): string {
  return `${idPrefixes[kind]}_${generateRandomString(ID_RANDOM_LENGTH, randomBytes)}`;
}

/** Ids chosen by a token's creator (IoT platform: "Token ID unique within the user account"). */
export const CHOSEN_TOKEN_ID_PATTERN = /^[A-Za-z0-9_]{1,50}$/;
