/** A token named by its name when known, linked to its page; by its id otherwise (deleted, or not readable). */
import { Link } from './link';

export function TokenRef({ id, name }: { id: string; name: string | undefined }) {
  return <Link to={`/tokens/${encodeURIComponent(id)}`}>{name ?? <span className="mono">{id}</span>}</Link>;
}
