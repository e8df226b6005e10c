/** A small filesystem of a test's own (tmpfs, as root), to fill up on purpose. */
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
      // A server killed a moment ago may still hold its files open: retry briefly, then detach lazily.
      for (let attempt = 0; ; attempt++) {
        try {
          execFileSync('umount', attempt < 20 ? [dir] : ['-l', dir], { stdio: 'pipe' });
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          execFileSync('sleep', ['0.25']);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
