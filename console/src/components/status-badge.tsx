/** A token's status as a coloured label (text, not colour alone, carries the meaning). */
import { statusLabel } from '../format';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{statusLabel[status] ?? status}</span>;
}
