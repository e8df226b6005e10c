/**
 * Reads the one request a gateway's auth subrequest is, `GET /v1/authorize` (or `/v1/authorize/<kind>`) over
 * HTTP/1.1 without a body, from the front of a connection's bytes, in its plain form only. Whatever else arrives
 * (another request, another form, a duplicated header, a body, more fields than Node keeps) is `other`; the one
 * request with a body read here is a plain `POST /v1/verify` (its head only: the connection waits for the body): Node's own
 * HTTP parser takes it, so this reading never has to agree with Node's on anything but the plainest requests
 * (gateway-connection.ts; docs/decisions.md).
 */

import { authorizePath, GATEWAY_KINDS, type GatewayKind } from './gateway-kind.js';

export type RequestHead =
  | { kind: 'incomplete' }
  | { kind: 'other' }
  | {
      kind: 'authorize';
      /** The gateway kind the path names, or undefined for `/v1/authorize` (the server's). */
      gateway: GatewayKind | undefined;
      /** Lower-case names, values with surrounding blanks trimmed (as Node gives them). */
      headers: Record<string, string>;
      /** Bytes of the head, the blank line included. */
      length: number;
      /** The client asked to close the connection after the answer. */
      close: boolean;
    }
  | {
      /** `POST /v1/verify` with a JSON body of `content-length` bytes (verify-answer.ts). */
      kind: 'verify';
      headers: Record<string, string>;
      length: number;
      close: boolean;
      /** Bytes of the body, which follow the head. */
      bodyLength: number;
    };

/** Node's default `maxHeaderSize`: a longer head is Node's to refuse (431). */
export const MAX_HEAD_BYTES = 16 * 1024;

/** The request lines read here, each with the gateway kind its path names. */
const REQUEST_LINES = new Map<string, GatewayKind | undefined>(
  [undefined, ...GATEWAY_KINDS].map((kind) => [`GET ${authorizePath(kind)} HTTP/1.1\r\n`, kind]),
);
/** The one other request read here: a verify with its body (gateway-connection.ts answers it, or hands it over). */
const VERIFY_LINE = 'POST /v1/verify HTTP/1.1\r\n';
const LINES = [...REQUEST_LINES.keys(), VERIFY_LINE];
/** A content-length as plain digits, no sign, blank or list (a longer one is over any body limit here). */
const LENGTH = /^[0-9]{1,7}$/;
/** The bytes so far can still begin (or do begin) one of the request lines. */
const mayBeRequestLine = (data: string) => LINES.some((line) => line.startsWith(data.slice(0, line.length)));

/**
 * How many fields Node's HTTP server keeps of a head when its `maxHeadersCount` is not set: its parser keeps 2,000
 * name and value entries, that is 1,000 fields (`MAX_HEADER_PAIRS` in Node's _http_common.js; request-head.test.ts
 * checks it against the running Node). A field past the limit is dropped by Node, so it must not be read here.
 */
export const NODE_DEFAULT_MAX_FIELDS = 1000;

export interface HeadLimits {
  /** A head with more fields is Node's (which drops those past its limit); 0: no limit, as in Node. */
  maxFields: number;
}
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value as Node's parser accepts it (HTAB, visible ASCII, obs-text); no CR or LF. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Fields whose presence means more than this reading handles. */
const NOT_PLAIN = new Set(['transfer-encoding', 'expect', 'upgrade', 'trailer']);

const INCOMPLETE = { kind: 'incomplete' } as const;
const OTHER = { kind: 'other' } as const;

/**
 * Field names as sent → lower case, for names already found to be tokens: a gateway sends the same few on every
 * check, so each is validated once. Bounded: past the limit, names are validated every time.
 */
const knownNames = new Map<string, string>();
const MAX_KNOWN_NAMES = 256;

function fieldKey(name: string): string | undefined {
  const known = knownNames.get(name);
  if (known !== undefined) return known;
  if (!TOKEN.test(name)) return undefined;
  const key = name.toLowerCase();
  if (knownNames.size < MAX_KNOWN_NAMES) knownNames.set(name, key);
  return key;
}

const isBlank = (code: number) => code === 0x20 || code === 0x09;

const NODE_LIMITS: HeadLimits = { maxFields: NODE_DEFAULT_MAX_FIELDS };

/** `data`: the connection's bytes as latin1 text (one character per byte, as Node reads header values). */
export function readRequestHead(data: string, limits: HeadLimits = NODE_LIMITS): RequestHead {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return data.length > MAX_HEAD_BYTES || !mayBeRequestLine(data) ? OTHER : INCOMPLETE;
  if (end + 4 > MAX_HEAD_BYTES) return OTHER;
  const lineEnd = data.indexOf('\r\n') + 2;
  const line = data.slice(0, lineEnd);
  const verify = line === VERIFY_LINE;
  if (!verify && !REQUEST_LINES.has(line)) return OTHER;
  const headers: Record<string, string> = {};
  let fields = 0;
  // Field lines from just after the request line to the blank line; each ends at its first CRLF.
  for (let at = lineEnd; at < end + 2; ) {
    // Never believe a field Node would drop: past its limit the head is Node's to read.
    if (++fields > limits.maxFields && limits.maxFields > 0) return OTHER;
    const eol = data.indexOf('\r\n', at);
    const colon = data.indexOf(':', at);
    if (colon <= at || colon > eol) return OTHER;
    const key = fieldKey(data.slice(at, colon));
    let from = colon + 1;
    let to = eol;
    while (from < to && isBlank(data.charCodeAt(from))) from++;
    while (to > from && isBlank(data.charCodeAt(to - 1))) to--;
    const value = data.slice(from, to);
    if (key === undefined || !FIELD_VALUE.test(value)) return OTHER;
    // A repeated field is read differently by different parsers (first, last, joined): not the plain form.
    if (key in headers || NOT_PLAIN.has(key)) return OTHER;
    headers[key] = value;
    at = eol + 2;
  }
  if (headers.host === undefined) return OTHER;
  const connection = headers.connection?.toLowerCase();
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return OTHER;
  if (verify) {
    const length = headers['content-length'];
    // Only the plain JSON form: any other type (or parameter), or a body without a length, is Fastify's to read.
    if (length === undefined || !LENGTH.test(length) || headers['content-type'] !== 'application/json') return OTHER;
    return { kind: 'verify', headers, length: end + 4, close: connection === 'close', bodyLength: Number(length) };
  }
  if (headers['content-length'] !== undefined && headers['content-length'] !== '0') return OTHER;
  return { kind: 'authorize', gateway: REQUEST_LINES.get(line), headers, length: end + 4, close: connection === 'close' };
}
