/** The CLI run in-process with captured output, for CLI tests: exit code, stdout, stderr and stdout as JSON. */
import type { CliIo } from '../cli/output.js';
import { runCli } from '../cli/program.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any;
}

/** `env`: the CLI's whole environment (on PostgreSQL, `DATABASE_URL` of the suite's database; nothing of this machine's). */
export async function runTessera(argv: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env, exitCode: 0 };
  const code = await runCli(argv, io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
