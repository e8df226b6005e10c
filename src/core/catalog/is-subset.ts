/** The no-escalation rule: whether everything a child permission set grants, the parent grants too. */
import { covers, overlaps } from './scope-pattern.js';
import { findCover, type PreparedPermissions } from './prepare-permissions.js';

export type SubsetResult =
  | { ok: true }
  | {
      ok: false;
      /** The child's scope as written. */
      scope: string;
      reason: 'invalid' | 'not-covered' | 'denied';
      /** For `denied`: the parent's deny rule the child does not repeat. */
      deny?: string;
      message: string;
    };

/**
 * Sound, implication-aware subset check. Every pattern in the child's closure must be covered by one
 * pattern of the parent's closure; where it meets a parent deny rule, the child must deny at least as
 * much. Both relations are exact on the pattern grammar, so if `isSubset(a, b)` then every check `a`
 * passes, `b` passes. It may refuse a union that only several parent scopes together cover.
 */
export function isSubset(child: PreparedPermissions, parent: PreparedPermissions): SubsetResult {
  if (!child.allowComplete || !parent.denyComplete) {
    const scope = child.scopes[0] ?? '';
    return { ok: false, scope, reason: 'invalid', message: 'permissions are too broad to compare' };
  }
  for (const p of child.allow) {
    if (!findCover(parent, p.pattern)) {
      const through = p.text === p.source ? '' : ` (it includes "${p.text}")`;
      return { ok: false, scope: p.source, reason: 'not-covered', message: `"${p.source}"${through} is not among the granting permissions` };
    }
    for (const d of parent.denies) {
      if (!overlaps(d.pattern, p.pattern)) continue;
      if (child.denies.some((c) => covers(c.pattern, d.pattern))) continue;
      return {
        ok: false,
        scope: p.source,
        reason: 'denied',
        deny: d.source,
        message: `"${p.source}" reaches "${d.source}", which the granting permissions deny; add that deny rule`,
      };
    }
  }
  return { ok: true };
}
