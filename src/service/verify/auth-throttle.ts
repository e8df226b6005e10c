/**
 * Slows down guessing: once an address has failed too often, its failing attempts answer 429 for a while.
 * Attempts that succeed are never refused (authenticate.ts checks the credential first).
 */
import { LRUCache } from 'lru-cache';

export interface AuthThrottleOptions {
  /** Failed attempts allowed per address within the window. */
  maxFailures: number;
  windowMs: number;
}

export const defaultAuthThrottleOptions: AuthThrottleOptions = { maxFailures: 30, windowMs: 60_000 };

export class AuthThrottle {
  private readonly failures: LRUCache<string, { count: number }>;

  constructor(private readonly options: AuthThrottleOptions = defaultAuthThrottleOptions) {
    // Bounded: an attacker rotating addresses cannot grow memory without limit.
    this.failures = new LRUCache({ max: 50_000, ttl: options.windowMs });
  }

  /** Seconds until the address may try again, or 0 when it is not throttled. */
  retryAfterSeconds(ip: string): number {
    const entry = this.failures.get(ip);
    if (!entry || entry.count < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil(this.failures.getRemainingTTL(ip) / 1000));
  }

  recordFailure(ip: string): void {
    const entry = this.failures.get(ip);
    if (entry) entry.count += 1;
    else this.failures.set(ip, { count: 1 });
  }
}
