/**
 * A real HTTP receiver of webhooks on 127.0.0.1 for tests: it checks every delivery's signature with the
 * `standardwebhooks` library, as a consumer would, and answers as the test tells it (2xx, 500, or never).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: { type: string; timestamp: string; data: Record<string, any> };
  /** Which of the receiver's secrets verified it (by index in `secrets`); empty: none did. */
  verifiedWith: number[];
}

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Every attempt, answered or not (ids in arrival order). */
  readonly attempts: string[] = [];
  mode: ReceiverMode = 'ok';
  /** In mode `ok`: how long to take before answering (a slow receiver, to crash a sender mid-delivery). */
  delayMs = 0;
  secrets: string[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => void holder.receiver?.handle(req, res));
    const receiver = new WebhookReceiver(server);
    holder.receiver = receiver;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The types of the deliveries accepted so far, in arrival order. */
  get types(): string[] {
    return this.received.map((r) => r.body.type);
  }

  /** Ids of the accepted deliveries, each once, in the order they first arrived. */
  get uniqueIds(): string[] {
    return [...new Set(this.received.map((r) => r.id))];
  }

  /** Resolves once `count` deliveries were accepted (or rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} webhooks, got ${this.received.length}: ${this.types.join(', ')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const payload = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    this.attempts.push(headers['webhook-id']);
    if (this.mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (this.mode === 'fail') {
      res.writeHead(500).end('down');
      return;
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const verifiedWith = this.secrets.flatMap((secret, i) => {
      try {
        new Webhook(secret).verify(payload, headers);
        return [i];
      } catch {
        return [];
      }
    });
    this.received.push({ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body: JSON.parse(payload), verifiedWith });
    if (!res.destroyed) res.writeHead(verifiedWith.length > 0 ? 204 : 401).end();
    for (const wake of this.waiters.splice(0)) wake();
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
