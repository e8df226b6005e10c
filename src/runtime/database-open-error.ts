/**
 * The database cannot be used, said in one line that names it and the cause (the CLI prints only this, no stack):
 * an orchestrator's log then shows what to fix, not where in the code it was noticed. Its own module so that the
 * CLI can recognise it without loading the stores.
 */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
}
