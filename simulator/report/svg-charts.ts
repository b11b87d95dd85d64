/**
 * Small, dependency-free SVG charts for report.html: a CDF, a timeline
 * and a heat map. Every number is rounded so the page is deterministic.
 */
const WIDTH = 460;
const HEIGHT = 220;
const PAD = 40;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function r1(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/** A step CDF of [value, cumulative fraction] points. */
export function cdfChart(title: string, unit: string, points: Array<[number, number]>): string {
  if (points.length === 0) return emptyChart(title);
  const maxX = Math.max(...points.map(([x]) => x), 1);
  const x = (v: number): number => PAD + (v / maxX) * (WIDTH - 2 * PAD);
  const y = (f: number): number => HEIGHT - PAD - f * (HEIGHT - 2 * PAD);
  let path = `M${r1(x(0))},${r1(y(0))}`;
  let previous = 0;
  for (const [value, fraction] of points) {
    path += ` L${r1(x(value))},${r1(y(previous))} L${r1(x(value))},${r1(y(fraction))}`;
    previous = fraction;
  }
  return frame(title, `<path class="line" d="${path}" fill="none" stroke="#2563eb" stroke-width="2"/>`, `0`, `${r1(maxX)} ${unit}`, 'fraction');
}

/** One or two series over time buckets. */
export function timelineChart(title: string, bucketMs: number, series: Array<{ name: string; values: number[]; color: string }>): string {
  const longest = Math.max(0, ...series.map((s) => s.values.length));
  if (longest === 0) return emptyChart(title);
  const body = series
    .map((s) => {
      const maxY = Math.max(...s.values, 1);
      const points = s.values.map((v, i) => `${r1(PAD + (i / Math.max(1, longest - 1)) * (WIDTH - 2 * PAD))},${r1(HEIGHT - PAD - (v / maxY) * (HEIGHT - 2 * PAD))}`).join(' ');
      return `<polyline class="line" points="${points}" fill="none" stroke="${s.color}" stroke-width="2"><title>${escapeHtml(s.name)} (max ${maxY})</title></polyline>`;
    })
    .join('');
  const legend = series.map((s, i) => `<text x="${PAD + i * 200}" y="14" fill="${s.color}" font-size="12">${escapeHtml(s.name)}</text>`).join('');
  return frame(title, body + legend, '0', `${r1((longest * bucketMs) / 3_600_000)} h`, 'scaled to max');
}

/** Rows x columns of ratios in [0, 1]; null cells (no tries) are grey. */
export function heatMap(title: string, labels: string[], cell: (row: number, column: number) => { ratio: number | null; text: string }): string {
  const size = 56;
  // Room for the longest "n. label" at font-size 11 (about 6.5 px per character).
  const left = Math.max(120, 16 + Math.ceil(6.5 * Math.max(0, ...labels.map((label, i) => `${i + 1}. ${label}`.length))));
  const top = 40;
  let body = '';
  labels.forEach((label, i) => {
    // Columns carry the row numbers: labels cut to fit a column could read the same ("dual-sta…" twice).
    body += `<text x="${left - 6}" y="${top + i * size + size / 2 + 4}" text-anchor="end" font-size="11">${escapeHtml(`${i + 1}. ${label}`)}</text>`;
    body += `<text x="${left + i * size + size / 2}" y="${top - 8}" text-anchor="middle" font-size="11"><title>${escapeHtml(label)}</title>${i + 1}</text>`;
    labels.forEach((_, j) => {
      const { ratio, text } = cell(i, j);
      const fill = ratio === null ? '#e5e7eb' : `hsl(${Math.round(ratio * 120)},70%,55%)`;
      body += `<rect class="cell" x="${left + j * size}" y="${top + i * size}" width="${size - 2}" height="${size - 2}" fill="${fill}"><title>${escapeHtml(`${label} -> ${labels[j]}: ${text}`)}</title></rect>`;
      body += `<text x="${left + j * size + size / 2}" y="${top + i * size + size / 2 + 4}" text-anchor="middle" font-size="11">${escapeHtml(ratio === null ? '-' : `${Math.round(ratio * 100)}%`)}</text>`;
    });
  });
  const width = Math.max(left + labels.length * size + 20, left + 290); // the caption below needs about 270 px
  const height = top + labels.length * size + 30;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${body}<text x="${left}" y="${height - 8}" font-size="11">rows: caller, columns: callee (by row number)</text></svg></figure>`;
}

function frame(title: string, body: string, xMin: string, xMax: string, yLabel: string): string {
  const axes = `<line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH - PAD}" y2="${HEIGHT - PAD}" stroke="#333"/><line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${HEIGHT - PAD}" stroke="#333"/>`;
  const labels = `<text x="${PAD}" y="${HEIGHT - PAD + 16}" font-size="11">${escapeHtml(xMin)}</text><text x="${WIDTH - PAD}" y="${HEIGHT - PAD + 16}" font-size="11" text-anchor="end">${escapeHtml(xMax)}</text><text x="4" y="${PAD - 8}" font-size="11">${escapeHtml(yLabel)}</text>`;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${axes}${labels}${body}</svg></figure>`;
}

function emptyChart(title: string): string {
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="empty">no samples</p></figure>`;
}

/**
 * Before/after bars, one pair per row, each pair scaled to its own larger
 * value (rows have different units); a missing value draws no bar and
 * reads "none".
 */
export function pairedBars(title: string, names: [string, string], rows: Array<{ label: string; values: [number | null, number | null]; text: [string, string] }>): string {
  // Room for the longest label at font-size 11 (about 6.5 px per character), as heatMap does.
  const left = Math.max(120, 16 + Math.ceil(6.5 * Math.max(0, ...rows.map((row) => row.label.length))));
  const barWidth = 260;
  const rowHeight = 34;
  const top = 40;
  const colors = ['#9ca3af', '#2563eb'];
  // One legend line per side: the two names can be long (the extensions each run offered).
  let body = names.map((n, i) => `<rect x="${left}" y="${4 + i * 16}" width="10" height="10" fill="${colors[i] ?? ''}"/><text x="${left + 14}" y="${13 + i * 16}" font-size="12">${escapeHtml(n)}</text>`).join('');
  rows.forEach((row, r) => {
    const y0 = top + r * rowHeight;
    const max = Math.max(...row.values.map((v) => Math.abs(v ?? 0)), Number.MIN_VALUE);
    body += `<text x="${left - 6}" y="${y0 + 17}" text-anchor="end" font-size="11">${escapeHtml(row.label)}</text>`;
    row.values.forEach((v, i) => {
      const y = y0 + i * 13;
      const w = v === null ? 0 : (Math.abs(v) / max) * barWidth;
      body += `<rect class="bar" x="${left}" y="${y}" width="${r1(w)}" height="11" fill="${colors[i] ?? ''}"><title>${escapeHtml(`${names[i] ?? ''}: ${row.text[i] ?? ''}`)}</title></rect>`;
      body += `<text x="${r1(left + w + 4)}" y="${y + 10}" font-size="10">${escapeHtml(row.text[i] ?? '')}</text>`;
    });
  });
  const width = left + barWidth + 80;
  const height = top + rows.length * rowHeight;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg class="bars" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${body}</svg></figure>`;
}
