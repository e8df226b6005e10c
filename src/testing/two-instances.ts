/** Two `tessera serve` processes on one fresh PostgreSQL database, as two instances of one deployment run. */
import { initDatabase, startServerProcess, type ServerProcess } from './server-process.js';
import { testPostgres } from './test-app.js';

export interface TwoInstances {
  /** The database's URL. */
  url: string;
  /** The root token `tessera init` printed. */
  root: string;
  a: ServerProcess;
  b: ServerProcess;
  /** Kills both (`kill -9`: nothing of a test may depend on a graceful stop). */
  stop(): Promise<void>;
}

/** Both started with `env` (the README's environment plus it); `settleMs` is waited after both answer. */
export async function startTwoInstances(env: NodeJS.ProcessEnv, settleMs = 0): Promise<TwoInstances> {
  const url = await (await testPostgres()).createDatabase();
  const root = await initDatabase(url);
  const [a, b] = await Promise.all([startServerProcess(url, env), startServerProcess(url, env)]);
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  return { url, root, a, b, stop: async () => void (await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')])) };
}
