/**
 * Reads the one request a gateway's auth subrequest is, `GET /v1/authorize` over HTTP/1.1 without a body, from the
 * front of a connection's bytes, in its plain form only. Whatever else arrives (another request, another form, a
 * duplicated header, a body) is `other`: Node's own HTTP parser takes it, so this reading never has to agree with
 * Node's on anything but the plainest requests (gateway-connection.ts; docs/decisions.md).
 */

export type RequestHead =
  | { kind: 'incomplete' }
  | { kind: 'other' }
  | {
      kind: 'authorize';
      /** Lower-case names, values with surrounding blanks trimmed (as Node gives them). */
      headers: Record<string, string>;
      /** Bytes of the head, the blank line included. */
      length: number;
      /** The client asked to close the connection after the answer. */
      close: boolean;
    };

/** Node's default `maxHeaderSize`: a longer head is Node's to refuse (431). */
export const MAX_HEAD_BYTES = 16 * 1024;

const REQUEST_LINE = 'GET /v1/authorize HTTP/1.1\r\n';
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

/** `data`: the connection's bytes as latin1 text (one character per byte, as Node reads header values). */
export function readRequestHead(data: string): RequestHead {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return data.length > MAX_HEAD_BYTES || !REQUEST_LINE.startsWith(data.slice(0, REQUEST_LINE.length)) ? OTHER : INCOMPLETE;
  if (end + 4 > MAX_HEAD_BYTES || !data.startsWith(REQUEST_LINE)) return OTHER;
  const headers: Record<string, string> = {};
  // Field lines from just after the request line to the blank line; each ends at its first CRLF.
  for (let at = REQUEST_LINE.length; at < end + 2; ) {
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
  if (headers['content-length'] !== undefined && headers['content-length'] !== '0') return OTHER;
  const connection = headers.connection?.toLowerCase();
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return OTHER;
  return { kind: 'authorize', headers, length: end + 4, close: connection === 'close' };
}
