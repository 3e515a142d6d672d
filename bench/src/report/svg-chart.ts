// Small, dependency-free SVG charts for bench/RESULTS.md: lines (x, y per series, optional log
// axes) and grouped bars. Plain text out, so the plots diff and render on any Git host.

export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
}

export interface BarChart {
  readonly title: string;
  readonly yLabel: string;
  /** The groups along the x axis. */
  readonly groups: readonly string[];
  /** One bar per series in each group; NaN leaves a gap. */
  readonly series: ReadonlyArray<{ readonly name: string; readonly values: readonly number[] }>;
}

const WIDTH = 760;
const HEIGHT = 400;
const PLOT = { left: 80, right: 190, top: 40, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(a < 1 ? 2 : 1)}`;
}

/** Ticks for [lo, hi]: powers of ten on a log axis, about five round steps otherwise. */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
    return out;
  }
  const raw = (hi - lo) / 5 || 1;
  const step = [1, 2, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step / 1e6; v += step) out.push(v);
  return out;
}

function scale(lo: number, hi: number, log: boolean, from: number, to: number): (v: number) => number {
  const f = log ? Math.log10 : (v: number) => v;
  const [a, b] = [f(lo), f(hi)];
  return (v) => from + ((f(v) - a) / (b - a || 1)) * (to - from);
}

function frame(title: string, xLabel: string, yLabel: string, body: string[], legend: readonly string[]): string {
  const legendItems = legend.map(
    (name, i) =>
      `<rect x="${WIDTH - PLOT.right + 16}" y="${PLOT.top + i * 20}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>` +
      `<text x="${WIDTH - PLOT.right + 34}" y="${PLOT.top + i * 20 + 11}">${escape(name)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${PLOT.left + (WIDTH - PLOT.left - PLOT.right) / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(18 ${PLOT.top + (HEIGHT - PLOT.top - PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
    ...body,
    ...legendItems,
    '</svg>',
    '',
  ].join('\n');
}

function yAxis(lo: number, hi: number, log: boolean): { y: (v: number) => number; lines: string[] } {
  const y = scale(lo, hi, log, HEIGHT - PLOT.bottom, PLOT.top);
  const lines = ticks(lo, hi, log)
    .filter((t) => t >= lo && t <= hi)
    .map((t) => `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/><text x="${PLOT.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t)}</text>`);
  return { y, lines };
}

export function lineChart(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!chart.logX || x > 0) && (!chart.logY || y > 0));
  if (points.length === 0) return frame(chart.title, chart.xLabel, chart.yLabel, [`<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data</text>`], []);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [xLo, xHi] = chart.logX ? [10 ** Math.floor(Math.log10(Math.min(...xs))), 10 ** Math.ceil(Math.log10(Math.max(...xs)))] : [0, Math.max(...xs) * 1.05];
  const [yLo, yHi] = chart.logY ? [10 ** Math.floor(Math.log10(Math.min(...ys))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))] : [0, Math.max(...ys) * 1.1];
  const x = scale(xLo, xHi, chart.logX ?? false, PLOT.left, WIDTH - PLOT.right);
  const { y, lines } = yAxis(yLo, yHi, chart.logY ?? false);
  const xTicks = ticks(xLo, xHi, chart.logX ?? false)
    .filter((t) => t >= xLo && t <= xHi)
    .map((t) => `<text x="${x(t).toFixed(1)}" y="${HEIGHT - PLOT.bottom + 18}" text-anchor="middle">${tickLabel(t)}</text>`);
  const paths = chart.series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const valid = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py) && (!chart.logX || px > 0) && (!chart.logY || py > 0));
    const d = valid.map(([px, py], k) => `${k === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    const dots = valid.map(([px, py]) => `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${colour}"/>`).join('');
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}`;
  });
  const axes = `<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${HEIGHT - PLOT.bottom}" stroke="#333"/><line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${HEIGHT - PLOT.bottom}" y2="${HEIGHT - PLOT.bottom}" stroke="#333"/>`;
  return frame(chart.title, chart.xLabel, chart.yLabel, [...lines, ...xTicks, axes, ...paths], chart.series.map((s) => s.name));
}

export function barChart(chart: BarChart): string {
  const values = chart.series.flatMap((s) => s.values).filter(Number.isFinite);
  const hi = values.length === 0 ? 1 : Math.max(...values) * 1.1;
  const { y, lines } = yAxis(0, hi, false);
  const groupWidth = (WIDTH - PLOT.left - PLOT.right) / Math.max(1, chart.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, chart.series.length);
  const bars = chart.groups.flatMap((group, g) => {
    const left = PLOT.left + g * groupWidth + groupWidth * 0.1;
    const label = `<text x="${(PLOT.left + (g + 0.5) * groupWidth).toFixed(1)}" y="${HEIGHT - PLOT.bottom + 18}" text-anchor="middle">${escape(group)}</text>`;
    const rects = chart.series.map((s, i) => {
      const v = s.values[g] ?? Number.NaN;
      if (!Number.isFinite(v)) return '';
      const top = y(v);
      return `<rect x="${(left + i * barWidth).toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(HEIGHT - PLOT.bottom - top).toFixed(1)}" fill="${COLOURS[i % COLOURS.length]}"><title>${escape(`${s.name}: ${tickLabel(v)}`)}</title></rect>`;
    });
    return [label, ...rects];
  });
  const axis = `<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${HEIGHT - PLOT.bottom}" y2="${HEIGHT - PLOT.bottom}" stroke="#333"/>`;
  return frame(chart.title, '', chart.yLabel, [...lines, axis, ...bars], chart.series.map((s) => s.name));
}
