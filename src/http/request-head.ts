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

const REQUEST_LINE = 'GET /v1/authorize HTTP/1.1';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value as Node's parser accepts it (HTAB, visible ASCII, obs-text); no CR or LF. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Fields whose presence means more than this reading handles. */
const NOT_PLAIN = new Set(['transfer-encoding', 'expect', 'upgrade', 'trailer']);

/** `data`: the connection's bytes as latin1 text (one character per byte, as Node reads header values). */
export function readRequestHead(data: string): RequestHead {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return data.length > MAX_HEAD_BYTES || !REQUEST_LINE.startsWith(data.slice(0, REQUEST_LINE.length)) ? { kind: 'other' } : { kind: 'incomplete' };
  if (end + 4 > MAX_HEAD_BYTES) return { kind: 'other' };
  const lines = data.slice(0, end).split('\r\n');
  if (lines[0] !== REQUEST_LINE) return { kind: 'other' };
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'other' };
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) return { kind: 'other' };
    const key = name.toLowerCase();
    // A repeated field is read differently by different parsers (first, last, joined): not the plain form.
    if (key in headers || NOT_PLAIN.has(key)) return { kind: 'other' };
    headers[key] = value;
  }
  if (headers.host === undefined) return { kind: 'other' };
  if (headers['content-length'] !== undefined && headers['content-length'] !== '0') return { kind: 'other' };
  const connection = headers.connection?.toLowerCase();
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return { kind: 'other' };
  return { kind: 'authorize', headers, length: end + 4, close: connection === 'close' };
}
