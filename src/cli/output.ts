/** The one printing path: exactly the JSON result with `--json`, readable text otherwise. */

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** What the process exits with once the command finishes; commands raise it for a failed check. */
  exitCode: number;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    exitCode: 0,
  };
}

/** Prints `result` as JSON, or the lines `human` makes of it. */
export function print<T>(io: CliIo, json: boolean, result: T, human: (result: T) => string[]): void {
  if (json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(human(result).map((line) => `${line}\n`).join(''));
}

/** `key: value` lines, keys padded to one column. */
export function keyValues(pairs: [string, string][]): string[] {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`);
}

/** Plain padded columns with a header row; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

export const orDash = (value: string | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : value);

/** Keeps table cells readable: long lists are cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** How a secret is handed over in text mode: alone on its line, so it can be copied or piped. */
export function secretLines(secret: string): string[] {
  return ['', 'Secret (shown once, store it now):', secret];
}
