import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../../src/report/model.js';
import { fitText, renderChartSvg, stackRows, textWidth } from '../../../src/report/svg.js';
import { contrastRatio, INK, inkOn, PALETTE, TONE_COLOURS, WHITE } from '../../../src/report/tones.js';

function count(svg: string, re: RegExp): number {
  return svg.match(re)?.length ?? 0;
}

/** Texts of the <text> elements, entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) =>
    (m[1] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

describe('renderChartSvg', () => {
  it('names every chart for assistive technology and summarises its numbers', () => {
    const spec: ChartSpec = { kind: 'donut', id: 'x', title: 'LAPS state', slices: [{ label: 'Windows LAPS', value: 3, tone: 'good' }, { label: 'None', value: 1, tone: 'bad' }] };
    const svg = renderChartSvg(spec, 'chart-x');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('role="img" aria-labelledby="chart-x-title chart-x-desc"');
    expect(svg).toContain('data-testid="chart-x"');
    expect(svg).toContain('<title id="chart-x-title">LAPS state</title>');
    expect(svg).toContain('<desc id="chart-x-desc">Windows LAPS: 3 (75%); None: 1 (25%).</desc>');
  });

  it('draws a donut arc per non-zero slice with value, share and total as labels', () => {
    const svg = renderChartSvg(
      {
        kind: 'donut',
        id: 'd',
        title: 'State',
        slices: [
          { label: 'Windows LAPS', value: 1200, tone: 'good' },
          { label: 'Legacy', value: 600, tone: 'warn' },
          { label: 'Unknown', value: 0 },
          { label: 'None', value: 200, tone: 'bad' },
        ],
      },
      'c',
    );
    expect(count(svg, /<path [^>]*class="arc"/g)).toBe(3);
    const t = texts(svg);
    expect(t).toEqual(expect.arrayContaining(['2,000', 'total', 'Windows LAPS', '1,200', '60%', 'Legacy', '600', '30%', 'Unknown', '0', '0%', 'None', '200', '10%']));
    expect(svg).toContain(`fill="${TONE_COLOURS.good}"`);
    expect(svg).toContain(`fill="${TONE_COLOURS.warn}"`);
    expect(svg).toContain(`fill="${TONE_COLOURS.bad}"`);
    expect(svg).toContain('<title>Windows LAPS: 1,200 (60%)</title>');
  });

  it('draws a whole ring for a single slice and a grey ring with 0 when there is no data', () => {
    const one = renderChartSvg({ kind: 'donut', id: 'o', title: 'All', slices: [{ label: 'All', value: 5 }, { label: 'Nothing', value: 0 }] }, 'c');
    expect(count(one, /class="arc"/g)).toBe(1);
    // two half arcs outside, two inside: a full ring, not a zero-length arc
    expect(count(one.match(/<path d="([^"]+)"/)?.[1] ?? '', /A/g)).toBe(4);
    const none = renderChartSvg({ kind: 'donut', id: 'n', title: 'None', slices: [{ label: 'A', value: 0 }] }, 'c');
    expect(none).toContain('class="arc empty"');
    expect(texts(none)).toContain('0');
    expect(none).toContain('<desc id="c-desc">A: 0.</desc>');
  });

  it('draws bars with lengths proportional to their values and the numbers beside them', () => {
    const svg = renderChartSvg(
      { kind: 'bar', id: 'b', title: 'OS', bars: [{ label: 'Windows 11', value: 400 }, { label: 'Windows 10', value: 100 }, { label: '2012 R2', value: 0, tone: 'bad' }], xLabel: 'Operating system', yLabel: 'computers' },
      'c',
    );
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"[^>]*class="bar"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    expect(widths[0]! / widths[1]!).toBeCloseTo(4, 1);
    expect(widths[2]).toBe(0);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Windows 11', '400', 'Windows 10', '100', '2012 R2', '0', 'Operating system', 'computers']));
  });

  it('caps a long bar chart at 30 bars, summing the rest into "other"', () => {
    const bars = Array.from({ length: 40 }, (_, i) => ({ label: `B${i}`, value: 10 }));
    const svg = renderChartSvg({ kind: 'bar', id: 'b', title: 'Many', bars }, 'c');
    expect(count(svg, /class="bar"/g)).toBe(30);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Other (11 more)', '110']));
  });

  it('draws a histogram on a nice axis with axis titles and rotates labels that do not fit', () => {
    const svg = renderChartSvg(
      { kind: 'histogram', id: 'h', title: 'Age', xLabel: 'days', yLabel: 'computers', bins: [{ label: '0-30', value: 7 }, { label: '31-60', value: 23 }, { label: '61+', value: 0, tone: 'warn' }] },
      'c',
    );
    expect(count(svg, /class="bar"/g)).toBe(3);
    // 23 -> ticks every 10 up to 30
    expect(texts(svg)).toEqual(expect.arrayContaining(['0', '10', '20', '30', '0-30', '31-60', '61+', 'days', 'computers', '7', '23']));
    expect(svg).not.toContain('rotate(-45');
    const dense = renderChartSvg(
      { kind: 'histogram', id: 'h', title: 'Age', xLabel: 'month', yLabel: 'n', bins: Array.from({ length: 24 }, (_, i) => ({ label: `2024-${i} to 2025-${i}`, value: i })) },
      'c',
    );
    expect(count(dense, /rotate\(-45/g)).toBe(24);
  });

  it('draws stacked bars largest first with a legend, "other" for the rest and totals', () => {
    const spec: Extract<ChartSpec, { kind: 'stacked-bar' }> = {
      kind: 'stacked-bar',
      id: 's',
      title: 'Per OU',
      series: [{ label: 'Windows LAPS', tone: 'good' }, { label: 'None', tone: 'bad' }],
      bars: [
        { label: 'OU=Small', values: [1, 1] },
        { label: 'OU=Big', values: [500, 20] },
        { label: 'OU=Mid', values: [40, 60] },
        { label: 'OU=Tiny', values: [0, 1] },
      ],
      limit: 2,
    };
    const rows = stackRows(spec);
    expect(rows.map((r) => [r.label, r.total])).toEqual([
      ['OU=Big', 520],
      ['OU=Mid', 100],
      ['Other (2 more)', 3],
    ]);
    expect(rows[2]?.values).toEqual([1, 2]);
    const svg = renderChartSvg(spec, 'c');
    // Big: 2 segments, Mid: 2, Other: 2
    expect(count(svg, /class="bar segment"/g)).toBe(6);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Windows LAPS (541)', 'None (82)', 'OU=Big', '520', '500', 'Other (2 more)', '3']));
    expect(svg).toContain('<title>OU=Big \u2014 Windows LAPS: 500 (96%)</title>');
  });

  it('cuts labels that would not fit, keeping the whole text as a tooltip, and escapes them', () => {
    const name = `OU=<script>alert(1)</script>${'x'.repeat(80)},DC=corp`;
    const svg = renderChartSvg({ kind: 'bar', id: 'b', title: '<b>T</b>', bars: [{ label: name, value: 1 }] }, 'c');
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    const shown = texts(svg).find((t) => t.startsWith('OU='));
    expect(shown?.endsWith('\u2026')).toBe(true);
    expect(textWidth(shown as string)).toBeLessThanOrEqual(200);
    expect(svg).toContain(`<title>OU=&lt;script&gt;alert(1)&lt;/script&gt;${'x'.repeat(80)},DC=corp</title>`);
  });

  it('treats negative or non-finite values as zero', () => {
    const svg = renderChartSvg({ kind: 'donut', id: 'd', title: 'T', slices: [{ label: 'A', value: -5 }, { label: 'B', value: Number.NaN }, { label: 'C', value: 2 }] }, 'c');
    expect(count(svg, /class="arc"/g)).toBe(1);
    expect(texts(svg)).toContain('2');
  });
});

describe('fitText', () => {
  it('keeps text that fits and cuts the rest to the width with an ellipsis', () => {
    expect(fitText('short', 100)).toBe('short');
    const cut = fitText('a'.repeat(100), 100);
    expect(cut.endsWith('\u2026')).toBe(true);
    expect(textWidth(cut)).toBeLessThanOrEqual(100);
    expect(textWidth('WWW')).toBeGreaterThan(textWidth('iii'));
  });
});

describe('tones', () => {
  it('gives each tone and palette colour a label ink with at least 4.5:1 contrast', () => {
    for (const fill of [...Object.values(TONE_COLOURS), ...PALETTE]) {
      expect(contrastRatio(fill, inkOn(fill)), fill).toBeGreaterThanOrEqual(4.5);
    }
    expect(inkOn(TONE_COLOURS.bad)).toBe(WHITE);
    expect(inkOn(TONE_COLOURS.warn)).toBe(INK);
  });

  it('keeps good, warn and bad apart in lightness as well as hue', () => {
    const { good, warn, bad } = TONE_COLOURS;
    expect(contrastRatio(good, warn)).toBeGreaterThan(1.8);
    expect(contrastRatio(bad, warn)).toBeGreaterThan(1.8);
  });
});
