/** Allowed IP addresses, one per line or comma separated, each checked as you type: every bad entry is named. */
import { ipProblem, ipWithin, splitIps } from '../ip';

/** Every problem of the list, one per bad entry; `within`: the signed-in token's own list, which each entry must lie in. */
export function ipListProblems(text: string, within: string[]): string[] {
  return splitIps(text).flatMap((entry) => {
    const problem = ipProblem(entry);
    if (problem) return [problem];
    if (within.length && !within.some((outer) => ipWithin(entry, outer))) return [`"${entry}" is outside the addresses your token may use (${within.join(', ')})`];
    return [];
  });
}

export function IpListInput(props: { value: string; onChange: (text: string) => void; within: string[]; serverError?: string | undefined }) {
  const problems = ipListProblems(props.value, props.within);
  const errors = props.serverError ? [...problems, props.serverError] : problems;
  const label = props.within.length ? 'Allowed IP addresses' : 'Allowed IP addresses (optional)';
  return (
    <div className={errors.length ? 'field field-invalid' : 'field'}>
      <label htmlFor="token-ips">{label}</label>
      <textarea
        id="token-ips"
        rows={3}
        className="mono"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={errors.length ? 'token-ips-hint token-ips-error' : 'token-ips-hint'}
        spellCheck={false}
      />
      <div className="hint" id="token-ips-hint">
        {props.within.length
          ? `Within the addresses your token may use: ${props.within.join(', ')}.`
          : 'IPv4 or IPv6 addresses or CIDR ranges, e.g. 203.0.113.7 or 10.0.0.0/8. Empty means any address.'}
      </div>
      {errors.length ? (
        <ul className="field-error error-list" id="token-ips-error">
          {errors.map((e) => <li key={e}>{e}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
