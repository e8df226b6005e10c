/**
 * What the real-gateway tests share (nginx-server.ts, caddy-server.ts and their tests): waiting for a gateway
 * process to listen, stopping it, an upstream that echoes what reached it, and a client call through the gateway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { Socket } from 'node:net';
import { expect, it } from 'vitest';
import type { TestApp } from './test-app.js';

/**
 * Runs a gateway binary until it listens on `port` (127.0.0.1); its temp dir `dir` goes when it stops or fails to
 * start. `stopSignal`: the one that makes it finish gracefully.
 */
export async function spawnGateway(
  name: string,
  command: { binary: string; args: string[]; env?: NodeJS.ProcessEnv },
  { port, dir, stopSignal }: { port: number; dir: string; stopSignal: NodeJS.Signals },
): Promise<{ stop(): Promise<void> }> {
  const child = spawn(command.binary, command.args, { env: command.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitUntilListening(name, child, port, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { stop: () => stopProcess(child, stopSignal).finally(() => rmSync(dir, { recursive: true, force: true })) };
}

async function waitUntilListening(name: string, child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on ${port} within 10 s: ${stderr()}`);
}

/** Asks the process to stop with `signal` (its graceful one), and kills it after 5 s. */
function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

export interface EchoUpstream {
  server: Server;
  /** `127.0.0.1:PORT` */
  addr: string;
}

/** The API behind the gateway: echoes the method, URL and headers that reached it (which identity headers, say). */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, addr: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

export interface GatewayReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: any;
}

/** A client's call through the gateway at `baseUrl`; `from` picks its source address on the loopback (127.0.0.2…). */
export function callThrough(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, from = '127.0.0.1'): Promise<GatewayReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method, headers, localAddress: from, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Every forwarding header a client could write to choose what is checked or from where, naming `method` `uri` and
 * `address` (SPEC rule 7): a gateway must overwrite or drop them, or Tessera must not read them.
 */
export function forgedHeaders(method: string, uri: string, address: string): Record<string, string> {
  return {
    'x-original-method': method,
    'x-original-uri': uri,
    'x-forwarded-method': method,
    'x-forwarded-uri': uri,
    'x-real-ip': address,
    'x-forwarded-for': address,
  };
}

export interface GatewayUnderTest {
  /** Tessera behind the gateway, the messaging catalog applied, the gateway's address a trusted proxy. */
  t: TestApp;
  /** A client's call through the gateway. */
  call(method: string, path: string, headers?: Record<string, string>, from?: string): Promise<GatewayReply>;
}

const FORBIDDEN_EXACT = '{"requestError":{"serviceException":{"messageId":"FORBIDDEN","text":"Forbidden"}}}';

/**
 * The attacker's cases every real gateway in front of Tessera must pass: a client that forges each forwarding
 * header gets exactly what its real request deserves.
 */
export function forgedHeaderCases(gateway: () => GatewayUnderTest): void {
  it('a forged call (X-Original-*, X-Forwarded-*) naming an allowed endpoint never lets another through', async () => {
    const { t, call } = gateway();
    const reader = await t.createToken({ name: 'reader', scopes: ['numbers:read'] });
    const bearer = { authorization: `Bearer ${reader.secret}` };
    const denied = await call('DELETE', '/numbers/1/numbers/41', { ...bearer, ...forgedHeaders('GET', '/numbers/1/numbers', '127.0.0.1') });
    expect([denied.status, denied.text]).toEqual([403, FORBIDDEN_EXACT]);
    // Nor does it take away what the real call may do.
    const allowed = await call('GET', '/numbers/1/numbers', { ...bearer, ...forgedHeaders('DELETE', '/numbers/1/numbers/41', '127.0.0.1') });
    expect(allowed.status).toBe(200);
    expect(allowed.body.method).toBe('GET');
  });

  it('a forged address (X-Real-IP, X-Forwarded-For) is never the client’s', async () => {
    const { t, call } = gateway();
    const office = await t.createToken({ name: 'office', scopes: ['numbers:read'], allowedIps: ['10.0.0.0/8'] });
    const forged = await call('GET', '/numbers/1/numbers', { authorization: `Bearer ${office.secret}`, ...forgedHeaders('GET', '/numbers/1/numbers', '10.1.1.1') });
    expect(forged.status).toBe(401);
    // The real address counts, whatever the client claims: 127.0.0.2 is allowed, and says it is 127.0.0.1.
    const second = await t.createToken({ name: 'from .2', scopes: ['numbers:read'], allowedIps: ['127.0.0.2/32'] });
    const real = await call('GET', '/numbers/1/numbers', { authorization: `Bearer ${second.secret}`, ...forgedHeaders('GET', '/numbers/1/numbers', '127.0.0.1') }, '127.0.0.2');
    expect(real.status).toBe(200);
    expect((await call('GET', '/numbers/1/numbers', { authorization: `Bearer ${second.secret}`, ...forgedHeaders('GET', '/numbers/1/numbers', '127.0.0.2') })).status).toBe(401);
  });

  it('forged identity headers never reach the API: only Tessera’s, and none Tessera did not send', async () => {
    const { t, call } = gateway();
    const plain = await t.createToken({ name: 'no profile', scopes: ['numbers:read'] });
    const forged = { 'x-tessera-token-id': 'tok_forged', 'x-tessera-profile-id': 'admin', 'x-tessera-account-id': 'acc_forged' };
    const res = await call('GET', '/numbers/1/numbers', { authorization: `Bearer ${plain.secret}`, ...forged });
    expect(res.status).toBe(200);
    expect(res.body.headers['x-tessera-token-id']).toBe(plain.id);
    // The account as Tessera names it when asked directly (the forged one was replaced, not kept).
    const { headers } = await t.request('GET', '/v1/authorize/nginx', {
      headers: { authorization: `Bearer ${plain.secret}`, 'x-original-method': 'GET', 'x-original-uri': '/numbers/1/numbers' },
    });
    expect(res.body.headers['x-tessera-account-id']).toBe(headers.get('x-tessera-account-id'));
    expect(res.body.headers['x-tessera-profile-id']).toBeUndefined();
  });
}
