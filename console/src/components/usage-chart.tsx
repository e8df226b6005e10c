/** Calls over time as stacked bars, one colour per outcome, with a legend and a text summary for screen readers. */
import type { UsageBucket } from '../api';

const palette: Record<string, string> = {
  VALID: 'var(--ok)',
  INSUFFICIENT_SCOPE: 'var(--warn)',
  IP_NOT_ALLOWED: '#b45309',
  DISABLED: '#6b7280',
  REVOKED: 'var(--danger)',
  EXPIRED: '#7c3aed',
  NOT_YET_VALID: '#0891b2',
  RATE_LIMITED: '#db2777',
  USAGE_EXCEEDED: '#9d174d',
};
/** Series that are not outcomes (the limits that refused checks) take these in turn. */
const others = ['#db2777', '#2563eb', '#ca8a04', '#0d9488', '#9333ea', '#64748b'];
const colour = (series: string, index: number) => palette[series] ?? others[index % others.length]!;

/** "1 hour", "34 calls". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `seriesOf`: what a bar's parts and the legend stand for; the outcome unless told (e.g. the limit that refused). */
export function UsageChart({ buckets, bucket, empty = 'No calls in this period.', seriesOf = (b) => b.outcome }: {
  buckets: UsageBucket[];
  bucket: string;
  empty?: string;
  seriesOf?: (b: UsageBucket) => string;
}) {
  if (buckets.length === 0) return <p className="empty">{empty}</p>;
  const times = [...new Set(buckets.map((b) => b.bucket))].sort();
  const outcomes = [...new Set(buckets.map(seriesOf))].sort();
  const sums = new Map<string, Map<string, number>>();
  for (const b of buckets) {
    const row = sums.get(b.bucket) ?? new Map<string, number>();
    row.set(seriesOf(b), (row.get(seriesOf(b)) ?? 0) + b.count);
    sums.set(b.bucket, row);
  }
  const totals = times.map((t) => [...(sums.get(t)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const width = 640;
  const height = 180;
  const barWidth = Math.max(2, Math.min(40, (width - 40) / times.length - 2));
  const slot = (width - 40) / times.length;
  // Each bar sits in the middle of its slot: one bucket is one bar in the middle, not a bar at the left edge.
  const xOf = (i: number) => 40 + i * slot + (slot - barWidth) / 2;
  const total = totals.reduce((a, b) => a + b, 0);
  const label = (t: string) => (bucket === 'day' ? t.slice(0, 10) : t.slice(bucket === 'minute' ? 11 : 5, 16).replace('T', ' '));

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 24}`} role="img" aria-label={`${plural(total, 'call')} in ${plural(times.length, bucket)}`}>
        <line x1="36" y1={height} x2={width} y2={height} stroke="var(--border)" />
        <text x="0" y="12" className="axis">{max}</text>
        <text x="0" y={height} className="axis">0</text>
        {times.map((t, i) => {
          let y = height;
          const x = xOf(i);
          return (
            <g key={t}>
              <title>{`${t}: ${plural(totals[i] ?? 0, 'call')}`}</title>
              {outcomes.map((o) => {
                const n = sums.get(t)?.get(o) ?? 0;
                const h = (n / max) * (height - 8);
                y -= h;
                return n ? <rect key={o} x={x} y={y} width={barWidth} height={h} fill={colour(o, outcomes.indexOf(o))} /> : null;
              })}
            </g>
          );
        })}
        {times.length === 1 ? (
          <text x={xOf(0) + barWidth / 2} y={height + 18} className="axis" textAnchor="middle">{label(times[0]!)}</text>
        ) : (
          <>
            <text x="40" y={height + 18} className="axis">{label(times[0]!)}</text>
            <text x={width} y={height + 18} className="axis" textAnchor="end">{label(times[times.length - 1]!)}</text>
          </>
        )}
      </svg>
      <figcaption className="legend">
        {outcomes.map((o, i) => (
          <span key={o} className="legend-item">
            <svg className="swatch" viewBox="0 0 1 1" aria-hidden="true"><rect width="1" height="1" fill={colour(o, i)} /></svg> {o}: {buckets.filter((b) => seriesOf(b) === o).reduce((a, b) => a + b.count, 0)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
