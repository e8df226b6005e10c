/**
 * The background sender: leases endpoints that have pending deliveries (one instance per endpoint at a time),
 * sends each endpoint's events in order, retries failures with exponential backoff and jitter until the retry
 * period is over. Nothing here runs on the check path.
 */
import type { WebhookEndpointRecord } from '../../core/webhooks.js';
import type { ServiceContext } from '../context.js';
import { signWebhook } from './sign-webhook.js';

export interface WebhookSenderOptions {
  /** How often to look for due deliveries (ms). */
  intervalMs: number;
  /** Time allowed for one request, headers and body (ms). */
  requestTimeoutMs: number;
  /** A delivery is retried for this long after its event (or its manual redelivery), then given up (ms). */
  retryPeriodMs: number;
  /** First retry delay (ms); doubles per attempt, with ±20% jitter, up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Endpoints leased per round. */
  endpointsPerRound: number;
  /** Deliveries sent to one endpoint per lease before it is handed back. */
  deliveriesPerLease: number;
  /** This instance's name in leases (random per process). */
  owner: string;
}

export const defaultWebhookSenderOptions = {
  intervalMs: 1000,
  requestTimeoutMs: 10_000,
  retryPeriodMs: 86_400_000,
  initialBackoffMs: 5000,
  maxBackoffMs: 3_600_000,
  endpointsPerRound: 8,
  deliveriesPerLease: 50,
} as const satisfies Omit<WebhookSenderOptions, 'owner'>;

/** A request that ends in a network error or a timeout, in a few words for the delivery log. */
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return (cause?.code ?? cause?.message ?? error.message).slice(0, 200);
  }
  return 'request failed';
}

export class WebhookSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Requests in flight, aborted at stop. */
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: WebhookSenderOptions,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.stopped = false;
    const loop = (): void => {
      this.running = this.round()
        .then(() => undefined)
        .catch((error: unknown) => this.ctx.logger.warn({ err: error }, 'webhook delivery round failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(loop, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const controller of this.inFlight) controller.abort();
    await this.running;
  }

  /** One round: lease due endpoints and send to each, concurrently across endpoints, in order within one. */
  async round(): Promise<number> {
    const nowMs = this.ctx.clock.now();
    const held = await this.ctx.store.leaseWebhookEndpoints({
      owner: this.options.owner,
      now: new Date(nowMs).toISOString(),
      until: this.leaseEnd(nowMs),
      limit: this.options.endpointsPerRound,
    });
    const sent = await Promise.all(held.map((endpoint) => this.drain(endpoint)));
    return sent.reduce((a, b) => a + b, 0);
  }

  /** A lease outlasts one request comfortably; it is moved forward before each one. */
  private leaseEnd(nowMs: number): string {
    return new Date(nowMs + this.options.requestTimeoutMs * 3).toISOString();
  }

  private async drain(endpoint: WebhookEndpointRecord): Promise<number> {
    const { store } = this.ctx;
    const owner = this.options.owner;
    let sent = 0;
    while (!this.stopped && sent < this.options.deliveriesPerLease) {
      const next = await store.nextWebhookDelivery(endpoint.id);
      if (next === undefined) break;
      const nowMs = this.ctx.clock.now();
      const due = next.delivery.nextAttemptAt === null ? nowMs : Date.parse(next.delivery.nextAttemptAt);
      // The head is not due: the endpoint waits (its later events too, to keep the order), leased until then.
      if (due > nowMs) {
        await store.moveWebhookLease(endpoint.id, owner, next.delivery.nextAttemptAt);
        return sent;
      }
      if (!(await store.moveWebhookLease(endpoint.id, owner, this.leaseEnd(nowMs)))) return sent;
      const outcome = await this.send(endpoint, next.delivery.eventId, next.payload);
      sent += 1;
      const at = this.ctx.clock.now();
      if (outcome.ok) {
        await store.recordWebhookAttempt({ endpointId: endpoint.id, seq: next.delivery.seq, status: 'delivered', at: new Date(at).toISOString(), statusCode: outcome.statusCode, error: null, nextAttemptAt: null });
        continue;
      }
      const retryAt = at + this.backoff(next.delivery.attempts);
      const givenUp = retryAt > Date.parse(next.delivery.retryFrom) + this.options.retryPeriodMs;
      await store.recordWebhookAttempt({
        endpointId: endpoint.id,
        seq: next.delivery.seq,
        status: givenUp ? 'failed' : 'pending',
        at: new Date(at).toISOString(),
        statusCode: outcome.statusCode,
        error: outcome.error,
        nextAttemptAt: givenUp ? null : new Date(retryAt).toISOString(),
      });
      // Given up: the next event may go now. Still pending: the loop finds it not due and holds the endpoint.
    }
    // Handed back, also at a clean stop: the next instance (or this one restarted) need not wait for it to expire.
    await store.moveWebhookLease(endpoint.id, owner, null);
    return sent;
  }

  /** Exponential, doubling from `initialBackoffMs`, with ±20% jitter so that many endpoints do not retry in step. */
  private backoff(attemptsBefore: number): number {
    const base = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** Math.min(attemptsBefore, 30));
    const jitter = 0.8 + 0.4 * (this.ctx.randomBytes(1)[0] ?? 128) / 255;
    return Math.round(base * jitter);
  }

  private async send(endpoint: WebhookEndpointRecord, id: string, payload: string): Promise<{ ok: boolean; statusCode: number | null; error: string | null }> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), this.options.requestTimeoutMs);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Tessera-Webhooks', ...signWebhook(endpoint.secrets, id, payload, this.ctx.clock.now()) },
        body: payload,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => undefined);
      const ok = response.status >= 200 && response.status < 300;
      return { ok, statusCode: response.status, error: ok ? null : `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, statusCode: null, error: controller.signal.aborted ? 'timed out' : describeFailure(error) };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
