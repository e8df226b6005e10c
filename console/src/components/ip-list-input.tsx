/** Allowed IP addresses, one per line or comma separated, each checked as you type. */
import { ipProblem, splitIps } from '../ip';
import { Field } from './field';

export function IpListInput(props: { value: string; onChange: (text: string) => void; serverError?: string | undefined }) {
  const problems = splitIps(props.value).map(ipProblem).filter((p): p is string => p !== undefined);
  const error = problems[0] ?? props.serverError;
  return (
    <Field label="Allowed IP addresses (optional)" htmlFor="token-ips" hint="IPv4 or IPv6 addresses or CIDR ranges, e.g. 203.0.113.7 or 10.0.0.0/8. Empty means any address." error={error}>
      <textarea
        id="token-ips"
        rows={3}
        className="mono"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'token-ips-error' : undefined}
        spellCheck={false}
      />
    </Field>
  );
}
