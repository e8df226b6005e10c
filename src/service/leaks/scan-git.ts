/**
 * `tessera scan --git`: every line ever added on any ref of a repository, read from `git log -p`, so a secret that
 * was committed and deleted later is still found, with the commit that added it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findSecrets } from '../../core/find-secrets.js';
import type { SecretLocation } from './scan-files.js';

/** Marks where each commit starts in the log; diff lines all begin with `+`, `-`, ` ` or `\`, so none can look like it. */
const COMMIT_MARK = 'tessera-scan-commit ';

const GIT_LOG_ARGS = [
  '-c', 'core.quotePath=false',
  'log', '--all', '-p', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames',
  // Merges show what they brought against their first parent, so a line written only in a merge is read too.
  '--diff-merges=first-parent',
  `--format=${COMMIT_MARK}%H`,
];

export class GitScanError extends Error {
  override readonly name = 'GitScanError';
}

/**
 * The secrets added by any commit of the repository at `repo`. Binary files are skipped (git prints no lines for
 * them). A secret added at one place by several commits (a branch and the merge that brought it) is reported once,
 * at the oldest of them.
 */
export async function scanGitHistory(repo: string): Promise<SecretLocation[]> {
  const git = spawn('git', ['-C', repo, ...GIT_LOG_ARGS], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  git.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    git.once('error', reject);
    git.once('close', (code) => resolve(code ?? 1));
  });
  // Newest commit first: a later sighting of the same place is an older commit, and replaces the earlier one.
  const byPlace = new Map<string, SecretLocation>();
  let commit = '';
  let file: string | null = null;
  let inHunk = false;
  let line = 0;
  for await (const text of createInterface({ input: git.stdout, crlfDelay: Infinity })) {
    if (text.startsWith(COMMIT_MARK)) {
      commit = text.slice(COMMIT_MARK.length);
      inHunk = false;
    } else if (text.startsWith('diff --git ')) {
      inHunk = false;
      file = null;
    } else if (!inHunk && text.startsWith('+++ ')) {
      file = text === '+++ /dev/null' ? null : unquote(text.slice(4)).replace(/^b\//, '');
    } else if (text.startsWith('@@ ')) {
      inHunk = true;
      line = Number(/\+(\d+)/.exec(text)?.[1] ?? '1');
    } else if (inHunk && text.startsWith('+')) {
      if (file !== null) {
        for (const found of findSecrets(text.slice(1))) {
          byPlace.set(`${found.secret}\u0000${file}`, { secret: found.secret, file, line, column: found.column, commit });
        }
      }
      line++;
    }
  }
  let code: number;
  try {
    code = await exited;
  } catch (error) {
    throw new GitScanError(`git: ${error instanceof Error ? error.message : String(error)} (is git installed?)`);
  }
  if (code !== 0) throw new GitScanError(`${repo}: ${stderr.trim() || `git log exited with ${code}`}`);
  return [...byPlace.values()].reverse();
}

/** Git quotes a path with unusual characters C-style: `"a\tb"`. The quotes go; escapes stay as git wrote them. */
function unquote(path: string): string {
  return path.startsWith('"') && path.endsWith('"') ? path.slice(1, -1) : path;
}
