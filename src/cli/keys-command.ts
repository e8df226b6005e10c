/** `tessera keys rotate`: a new signing key for issued tokens; the old ones verify until their tokens expire. */
import { Option, type Command } from 'commander';
import { TesseraError, errorStatus, type ErrorCode } from '../core/errors.js';
import { signingAlgs } from '../core/signing-algs.js';
import type { RotatedKeys, SigningAlg } from '../service/index.js';
import { addBackendOptions, resolveTarget, type BackendTarget, type CommonFlags } from './cli-options.js';
import { keyValues, print, type CliIo } from './output.js';

export function registerKeysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('signing keys of issued tokens (JWTs)');
  addBackendOptions(keys.command('rotate').description('a new key signs from now on; old keys keep verifying until their tokens expire'))
    .addOption(new Option('--alg <alg>', 'algorithm of the new key (default: the current key’s, else EdDSA)').choices([...signingAlgs]))
    .action(async (flags: CommonFlags & { alg?: SigningAlg }) => {
      const target = resolveTarget(flags, io.env);
      const options = flags.alg ? { alg: flags.alg } : {};
      const rotated = target.kind === 'local' ? await rotateLocally(target, options) : await rotateRemotely(target, options);
      print(io, !!flags.json, rotated, (r) => [
        ...keyValues([['kid', r.key.kid], ['alg', r.key.alg], ['created', r.key.createdAt]]),
        ...r.retired.map((k) => `retired ${k.kid}: verifies until ${k.notAfter}`),
      ]);
    });
}

async function rotateLocally(target: Extract<BackendTarget, { kind: 'local' }>, options: { alg?: SigningAlg }): Promise<RotatedKeys> {
  const [{ openTessera }, { systemActor }] = await Promise.all([import('./local-backend.js'), import('../service/index.js')]);
  const tessera = await openTessera(target.database, { create: false });
  try {
    const account = await tessera.ctx.store.getDefaultAccount();
    if (!account) throw new TesseraError('NOT_FOUND', 'the database has no account yet; run tessera init first');
    return await tessera.rotateSigningKey(systemActor(account.id), options);
  } finally {
    await tessera.close();
  }
}

async function rotateRemotely(target: Extract<BackendTarget, { kind: 'remote' }>, options: { alg?: SigningAlg }): Promise<RotatedKeys> {
  const base = target.url.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/v1/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(options),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new TesseraError('SERVICE_UNAVAILABLE', `cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => undefined)) as
    | (RotatedKeys & { requestError?: { serviceException?: { messageId?: string; text?: string } } })
    | undefined;
  if (!response.ok) {
    const exception = body?.requestError?.serviceException;
    const code = exception?.messageId && exception.messageId in errorStatus ? (exception.messageId as ErrorCode) : 'INTERNAL';
    throw new TesseraError(code, exception?.text ?? `HTTP ${response.status}`);
  }
  return body as RotatedKeys;
}
