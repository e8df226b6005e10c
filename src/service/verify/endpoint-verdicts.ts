/**
 * The last few endpoint checks of one cached token and their verdicts. A gateway asks about the same few calls
 * of a token over and over; remembering the answer skips path matching and scope checks on the next identical
 * call. Valid only for the catalog the verdicts were made with, and for a token that has not changed since
 * (a change drops the whole cache entry).
 */
import type { CompiledCatalog } from '../../core/catalog/index.js';

/** Few slots and short paths only: the memory stays a few hundred bytes per cached token, whatever is asked. */
const SLOTS = 4;
const MAX_PATH = 256;

interface Verdict<R> {
  method: string;
  path: string;
  result: R;
}

export class EndpointVerdicts<R> {
  private readonly slots: Verdict<R>[] = [];
  private next = 0;

  constructor(readonly catalog: CompiledCatalog) {}

  find(method: string, path: string): R | undefined {
    for (const slot of this.slots) if (slot.path === path && slot.method === method) return slot.result;
    return undefined;
  }

  remember(method: string, path: string, result: R): void {
    if (path.length > MAX_PATH) return;
    const verdict = { method, path, result };
    if (this.slots.length < SLOTS) this.slots.push(verdict);
    else {
      this.slots[this.next] = verdict;
      this.next = (this.next + 1) % SLOTS;
    }
  }
}
