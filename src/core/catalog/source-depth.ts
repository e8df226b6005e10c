/** A bound on how deep catalog text can nest, read in one pass before any parser recurses through it. */

/**
 * Past this bound the text is refused unparsed. The YAML parser recurses once per level and, thousands of
 * levels deep, runs out of stack (once even taking the process down in V8's regexp compiler). Generous:
 * a real catalog is a handful of levels, indented by a few spaces each.
 */
export const MAX_SOURCE_NESTING = 256;

/**
 * An upper bound on the nesting of YAML or JSON text: the deepest flow nesting (`[`, `{`, counted even
 * inside strings, which only overestimates) plus, for the deepest line, its indentation and the compact
 * block indicators (`- - - x`, `? `) that open a level each without indenting.
 */
export function sourceNestingBound(text: string): number {
  let flow = 0;
  let maxFlow = 0;
  let maxBlock = 0;
  let lineStart = true;
  let block = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      block = 0;
      continue;
    }
    if (lineStart) {
      const next = text.charCodeAt(i + 1);
      if (c === 0x20 || c === 0x09) block++;
      else if ((c === 0x2d || c === 0x3f) && (next === 0x20 || next === 0x09)) block++;
      else lineStart = false;
      if (block > maxBlock) maxBlock = block;
      if (lineStart) continue;
    }
    if (c === 0x5b || c === 0x7b) {
      if (++flow > maxFlow) maxFlow = flow;
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) {
      flow--;
    }
  }
  return maxFlow + maxBlock;
}
