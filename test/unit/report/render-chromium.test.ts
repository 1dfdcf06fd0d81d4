/**
 * Opens a realistic report.html in Debian's headless Chromium: the charts and tables render,
 * header clicks sort, nothing is fetched, the CSP lets only our own script and style run, a
 * hostile OU name does not execute, and a full-page screenshot lands in test/artifacts/.
 * Needs /usr/bin/chromium (apt-get install chromium): under CI a missing browser fails the test;
 * elsewhere the test is skipped with a message.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../../src/report/write-report.js';
import type { ReportModel } from '../../../src/report/model.js';
import { sampleModel } from './sample-model.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
const ARTIFACTS = resolve('test/artifacts');

/** Runs in the page (a string: this project compiles without DOM types): chart texts outside their SVG. */
const LABELS_OUTSIDE = `(() => {
  const bad = [];
  for (const svg of document.querySelectorAll('svg.chart-svg')) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        bad.push(svg.id + ': ' + t.textContent);
      }
    }
  }
  return bad;
})()`;

if (!haveChromium && !inCi) {
  console.warn(`render-chromium: skipped, ${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)`);
}

describe.skipIf(!haveChromium && !inCi)('report.html in headless Chromium', () => {
  let browser: Browser | undefined;
  let page: Page;
  let reportUrl: string;
  let out: string | undefined;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    out = mkdtempSync(join(tmpdir(), 'laps-report-render-'));
    const { dir } = await writeReport(sampleModel(), { outDir: out, now: new Date('2025-03-14T09:26:53Z') });
    reportUrl = pathToFileURL(join(dir, 'report.html')).href;
    await page.goto(reportUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('renders every chart as SVG with marks and visible numbers', async () => {
    const charts = page.locator('svg[data-testid^="chart-"]');
    expect(await charts.count()).toBe(4);
    expect(await page.locator('[data-testid="chart-laps-state"] path.arc').count()).toBe(4);
    expect(await page.locator('[data-testid="chart-os"] rect.bar').count()).toBe(6);
    expect(await page.locator('[data-testid="chart-password-age"] rect.bar').count()).toBe(5);
    // 7 OUs, limit 6: six bars plus "Other (1 more)", each split into up to 4 series
    const segments = await page.locator('[data-testid="chart-state-by-ou"] rect.segment').count();
    expect(segments).toBeGreaterThan(20);
    expect(await page.locator('[data-testid="chart-state-by-ou"]').textContent()).toContain('Other (1 more)');
    for (const id of ['laps-state', 'os', 'password-age', 'state-by-ou']) {
      const svg = page.locator(`[data-testid="chart-${id}"]`);
      const box = await svg.boundingBox();
      expect(box?.width, id).toBeGreaterThan(300);
      expect(box?.height, id).toBeGreaterThan(100);
      expect(await svg.getAttribute('role')).toBe('img');
      expect((await svg.locator('title').first().textContent())?.length).toBeGreaterThan(3);
    }
    expect(await page.locator('[data-testid="chart-laps-state"] .donut-total').textContent()).toBe('1,500');
  });

  it('keeps every chart label inside its chart', async () => {
    const outside = await page.evaluate<string[]>(LABELS_OUTSIDE);
    expect(outside).toEqual([]);
  });

  it('shows the header, headline cards, findings and both tables', async () => {
    expect(await page.locator('[data-testid="target"]').textContent()).toContain('corp.example.com');
    expect(await page.locator('[data-testid="headline-card"]').count()).toBe(5);
    expect(await page.locator('[data-testid="status"]').textContent()).toContain('1 blocker');
    expect(await page.locator('[data-testid="finding"]').count()).toBe(4);
    expect(await page.locator('[data-testid="finding"][data-severity="blocker"] .badge').textContent()).toBe('Blocker');
    expect(await page.locator('[data-testid="table-computers"] tbody tr').count()).toBe(50);
    expect(await page.locator('[data-testid="table-ous"] tbody tr').count()).toBe(7);
    expect(await page.locator('[data-testid="table-computers-caption"]').textContent()).toContain(
      'Showing the first 50 of 1,500 rows; the CSV file computers.csv has every row.',
    );
  });

  it('sorts a table when a header is clicked: numbers numerically, empty cells last', async () => {
    const table = page.locator('[data-testid="table-computers"]');
    const column = async (index: number): Promise<string[]> => table.locator(`tbody tr td:nth-child(${index})`).allTextContents();
    const ageCol = 6;
    const before = await column(ageCol);
    await table.locator('thead th').nth(ageCol - 1).locator('button').click();
    const asc = await column(ageCol);
    expect(asc).not.toEqual(before);
    const nums = asc.filter((v) => v !== '').map(Number);
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
    expect(asc.slice(nums.length).every((v) => v === '')).toBe(true);
    expect(await table.locator('thead th').nth(ageCol - 1).getAttribute('aria-sort')).toBe('ascending');

    await table.locator('thead th').nth(ageCol - 1).locator('button').click();
    const desc = (await column(ageCol)).filter((v) => v !== '').map(Number);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));

    // the OU table's "Computers" column: numeric sort, not text ("97" before "672" as text)
    const ous = page.locator('[data-testid="table-ous"]');
    await ous.locator('thead th').nth(1).locator('button').click();
    const counts = (await ous.locator('tbody tr td:nth-child(2)').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeLessThan(counts[counts.length - 1] as number);
  });

  it('fetches nothing, runs no injected script and logs no CSP violation', async () => {
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    expect(requests).toHaveLength(1);
    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    const ouCell = page.locator('[data-testid="table-ous"] td', { hasText: '<script>alert(1)</script>' });
    expect(await ouCell.count()).toBe(1);
  });

  it('lays out crowded charts (many bars, long labels, big numbers, no data) without spilling', async () => {
    const base = sampleModel({ list: [] });
    const long = (i: number): string => `OU=Department number ${i} with a very long name,OU=Region ${i % 4},DC=corp,DC=example,DC=com`;
    const model: ReportModel = {
      ...base,
      title: 'Crowded charts',
      charts: [
        { kind: 'donut', id: 'many-slices', title: 'Twelve slices', slices: Array.from({ length: 12 }, (_, i) => ({ label: `Category with a rather long label ${i}`, value: (i + 1) * 123_457 })) },
        { kind: 'donut', id: 'empty', title: 'No data yet', slices: [{ label: 'Managed', value: 0, tone: 'good' }, { label: 'Unmanaged', value: 0, tone: 'bad' }] },
        { kind: 'bar', id: 'many-bars', title: 'Forty-five bars', bars: Array.from({ length: 45 }, (_, i) => ({ label: long(i), value: 1_000_000 - i * 20_000 })), yLabel: 'computers' },
        { kind: 'histogram', id: 'many-bins', title: 'Twenty-four bins', xLabel: 'month the password was last set', yLabel: 'computers', bins: Array.from({ length: 24 }, (_, i) => ({ label: `2023-${String((i % 12) + 1).padStart(2, '0')} to 2024-${String((i % 12) + 1).padStart(2, '0')}`, value: i * i * 97 })) },
        {
          kind: 'stacked-bar',
          id: 'crowded-stack',
          title: 'Twenty-five OUs, six series',
          series: ['Windows LAPS, encrypted with history', 'Windows LAPS, clear text', 'Legacy LAPS only', 'Both', 'None', 'Unknown (never logged on)'].map((label) => ({ label })),
          bars: Array.from({ length: 25 }, (_, i) => ({ label: long(i), values: [i * 1000, 5000, 12000 - i * 400, 300, i * 10, 7] })),
          limit: 10,
        },
      ],
      tables: [],
    };
    const { dir } = await writeReport(model, { outDir: out as string, now: new Date('2025-03-14T10:00:00Z') });
    const crowded = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await crowded.goto(pathToFileURL(join(dir, 'report.html')).href);
      expect(await crowded.locator('[data-testid="chart-many-bars"] rect.bar').count()).toBe(30);
      expect(await crowded.locator('[data-testid="chart-many-bars"]').textContent()).toContain('Other (16 more)');
      expect(await crowded.locator('[data-testid="chart-crowded-stack"]').textContent()).toContain('Other (15 more)');
      expect(await crowded.locator('[data-testid="chart-many-slices"] path.arc').count()).toBe(12);
      expect(await crowded.locator('[data-testid="chart-empty"] .donut-total').textContent()).toBe('0');
      expect(await crowded.locator('[data-testid="chart-many-slices"] .donut-total').textContent()).toBe('9,629,646');
      expect(await crowded.evaluate<string[]>(LABELS_OUTSIDE)).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await crowded.screenshot({ path: join(ARTIFACTS, 'report-crowded-screenshot.png'), fullPage: true });
    } finally {
      await crowded.close();
    }
  });

  it('saves a full-page screenshot to test/artifacts/report-screenshot.png', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, 'report-screenshot.png');
    await page.goto(reportUrl);
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(20_000);
  });
});
