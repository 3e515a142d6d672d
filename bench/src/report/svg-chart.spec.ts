import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from './svg-chart.js';

describe('svg charts', () => {
  it('draws one path per series and a legend entry per name, never a NaN coordinate', () => {
    const svg = lineChart({ title: 'Latency <p99>', xLabel: 'load', yLabel: 'ms', logY: true, series: [{ name: 'a', points: [[1, 10], [2, 100], [3, Number.NaN]] }, { name: 'b', points: [[1, 5]] }] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('Latency &lt;p99&gt;');
    expect(svg).not.toContain('NaN');
  });

  it('leaves a gap for a missing bar and says so when there is no data at all', () => {
    const bars = barChart({ title: 't', yLabel: 'y', groups: ['paced', 'burst'], series: [{ name: 'x', values: [3, Number.NaN] }] });
    expect(bars.match(/<rect x=/g)!.length).toBe(1 + 1); // the legend swatch and one bar
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data');
  });
});
