/** Fault tests' traffic: every write the server acknowledged, kept to be found again after the fault and a restart. */

export interface Answer {
  status: number;
  body: any;
}

/** One JSON call to a running server; network failures (and no answer within `timeoutMs`) are thrown, every status is returned. */
export async function call(base: string, method: string, path: string, token?: string, body?: unknown, timeoutMs = 20_000): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The state a token must show after a restart, from the writes the server acknowledged. */
export type Expected = 'VALID' | 'REVOKED' | 'DISABLED';

/**
 * Writes the server acknowledged, to be found again after the fault and a restart: tokens created (with their
 * secrets), revoked and disabled. Unacknowledged writes may or may not have happened, so nothing is expected of them.
 */
export class Ledger {
  readonly tokens = new Map<string, { secret: string; expected: Expected }>();
  answers = new Map<number, number>();

  count(status: number): void {
    this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
  }

  async create(base: string, root: string, name: string): Promise<Answer> {
    const answer = await call(base, 'POST', '/v1/tokens', root, { name, scopes: ['tokens:read'] });
    this.count(answer.status);
    if (answer.status === 201) this.tokens.set(answer.body.token.id, { secret: answer.body.secret, expected: 'VALID' });
    return answer;
  }

  /** Revokes or disables a token this ledger holds as valid. */
  async change(base: string, root: string, id: string, action: 'revoke' | 'disable'): Promise<Answer> {
    const answer = await call(base, 'POST', `/v1/tokens/${id}/${action}`, root, {});
    this.count(answer.status);
    if (answer.status === 200) this.tokens.get(id)!.expected = action === 'revoke' ? 'REVOKED' : 'DISABLED';
    return answer;
  }

  /** A token still valid here, if any, other than those in `except`. */
  someValid(except: Set<string> = new Set()): string | undefined {
    for (const [id, t] of this.tokens) if (t.expected === 'VALID' && !except.has(id)) return id;
    return undefined;
  }

  /** Every acknowledged write, checked through verify: the codes that differ from what was acknowledged. */
  async mismatches(base: string): Promise<string[]> {
    const wrong: string[] = [];
    for (const [id, t] of this.tokens) {
      const answer = await call(base, 'POST', '/v1/verify', undefined, { token: t.secret });
      if (answer.body?.code !== t.expected) wrong.push(`${id}: ${answer.status} ${answer.body?.code ?? JSON.stringify(answer.body)} (expected ${t.expected})`);
    }
    return wrong;
  }
}
