/** A small filesystem of a test's own (tmpfs, as root), to fill up on purpose; and the traffic helpers its tests share. */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SMALL_DISK_SKIP_MESSAGE = 'disk-full tests skipped: mounting a tmpfs needs root (CI runs them as root)';

export interface SmallDisk {
  dir: string;
  /** Writes a filler file until the filesystem refuses more (ENOSPC); returns its size in bytes. */
  fill(): number;
  /** Deletes the filler: space is back. */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeMiB` on a new directory; null where mounting is not permitted (never under CI=true). */
export function mountSmallDisk(sizeMiB: number): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs on ${dir} (CI must run these tests as root)`, { cause: error });
    return null;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(16 * 1024, 1);
      let written = 0;
      try {
        // Bounded: a 4 MiB disk takes a few hundred chunks; 64 Ki chunks is 1 GiB.
        for (let i = 0; i < 65_536; i++) written += writeSync(fd, chunk);
        throw new Error('the small disk never filled up');
      } catch (error) {
        if ((error as { code?: string }).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  body: any;
}

/** One JSON call to a running server; network failures are thrown, every status is returned. */
export async function call(base: string, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
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
