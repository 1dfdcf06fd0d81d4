import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInventory, type InventoryResult } from '../../src/steps/inventory.js';
import { labDown, labUp } from '../../src/lab/lab.js';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { cli, connectAs, lab, resetLab } from './lab-env.js';
import { encryptedValue, extendWindowsLapsSchema, integer8 } from './windows-laps-fixture.js';

const DAY = 86_400_000;
const now = new Date();

async function inventoryAs(account: string): Promise<InventoryResult> {
  const m = lab();
  const dir = await connectAs(account);
  try {
    return await runInventory(dir, { server: m.urls.ldaps, domain: m.dnsDomain, baseDn: m.baseDn, boundAs: account }, { now, staleDays: 90, graceDays: 7 });
  } finally {
    await dir.close();
  }
}

const byName = (r: InventoryResult) => new Map(r.data.computers.map((c) => [c.name, c]));

describe('inventory against the lab', () => {
  let lastReportDir: string | undefined;
  let admin: InventoryResult;
  let user: InventoryResult;

  beforeAll(async () => {
    const m = lab();
    const dir = await connectAs('admin');
    try {
      await extendWindowsLapsSchema(dir);
      const dn = (n: string) => m.computers.find((c) => c.name === n)!.dn;
      const future = integer8(new Date(now.getTime() + 20 * DAY));
      // WS-GEN01: legacy + Windows LAPS encrypted with 2 history entries (side by side)
      await dir.modify(dn('WS-GEN01'), [
        { operation: 'replace', attribute: 'msLAPS-PasswordExpirationTime', values: [future] },
        { operation: 'replace', attribute: 'msLAPS-EncryptedPassword', values: [encryptedValue(new Date(now.getTime() - 3 * DAY))] },
        { operation: 'replace', attribute: 'msLAPS-EncryptedPasswordHistory', values: [encryptedValue(new Date(now.getTime() - 33 * DAY)), encryptedValue(new Date(now.getTime() - 63 * DAY))] },
      ]);
      // KIOSK01: Windows LAPS clear text only
      await dir.modify(dn('KIOSK01'), [
        { operation: 'replace', attribute: 'msLAPS-PasswordExpirationTime', values: [future] },
        { operation: 'replace', attribute: 'msLAPS-Password', values: ['{"n":"Administrator","t":"1d9a1b2c3d4e5f6","p":"NotARealPassw0rd!"}'] },
      ]);
      // SAL-WS01: Windows LAPS encrypted only, expired long ago (not rotating)
      await dir.modify(dn('SAL-WS01'), [
        { operation: 'replace', attribute: 'msLAPS-PasswordExpirationTime', values: [integer8(new Date(now.getTime() - 30 * DAY))] },
        { operation: 'replace', attribute: 'msLAPS-EncryptedPassword', values: [encryptedValue(new Date(now.getTime() - 60 * DAY))] },
      ]);
    } finally {
      await dir.close();
    }
    admin = await inventoryAs('admin');
    user = await inventoryAs('user');
  });

  afterAll(async () => {
    await resetLab();
  });

  it('classifies every computer (as Administrator)', () => {
    const c = byName(admin);
    const expect1 = (name: string, fields: Record<string, unknown>) => expect(c.get(name), name).toMatchObject(fields);
    expect1('FIN-WS01', { state: 'legacy', health: 'rotating', osReadiness: 'supported-if-patched', build: 22631, legacyPasswordPresent: true, ouPath: 'Workstations/Finance' });
    expect1('FIN-WS02', { state: 'legacy', health: 'overdue', osReadiness: 'supported-if-patched' });
    expect1('FIN-WS03', { state: 'legacy', health: 'rotating', osReadiness: 'unsupported', build: 17134 });
    expect1('SAL-WS01', { state: 'windows-encrypted', health: 'overdue', windowsEncryptedPresent: true, historyCount: 0, passwordAgeDays: 60 });
    expect1('SAL-WS02', { state: 'legacy', enabled: false, legacyGpos: [] });
    expect1('WS-GEN01', { state: 'both', health: 'rotating', osReadiness: 'supported', historyCount: 2, windowsEncryptedPresent: true, passwordAgeDays: 3 });
    expect1('WS-STALE01', { state: 'legacy', health: 'overdue', stale: true });
    expect1('WS-JOINED01', { state: 'none', health: 'never-managed' });
    expect1('PRT-WS01', { state: 'legacy', legacyGpos: ['LAPS Legacy - Workstations'] });
    expect1('SRV-APP01', { state: 'legacy', osReadiness: 'unsupported', build: 14393, legacyGpos: ['LAPS Legacy - Servers'] });
    expect1('SRV-WEB01', { state: 'legacy', osReadiness: 'supported-if-patched', build: 20348 });
    expect1('SRV-WEB02', { state: 'legacy', health: 'overdue', build: 17763 });
    expect1('KIOSK01', { state: 'windows-clear', health: 'rotating', windowsClearPresent: true, legacyGpos: [] });
    expect1('LNX-01', { state: 'none', osReadiness: 'not-windows' });
    expect1('UNK-01', { state: 'none', osReadiness: 'unknown' });
    expect1('DC1', { domainController: true, state: 'none' });
    expect(admin.data.computers).toHaveLength(16);
  });

  it('counts and rolls up exactly', () => {
    const s = admin.data.summary;
    expect(s).toMatchObject({ computers: 16, enabled: 15, disabled: 1, stale: 1, domainControllers: 1, ous: 8 });
    expect(s.states).toEqual({ legacy: 9, 'windows-clear': 1, 'windows-encrypted': 1, both: 1, none: 4 });
    expect(s.health).toEqual({ rotating: 8, due: 0, overdue: 4, 'never-managed': 4, unknown: 0 });
    expect(s.readiness).toEqual({ supported: 1, 'supported-if-patched': 10, unsupported: 2, 'not-windows': 2, unknown: 1 });
    expect(s.gpos).toMatchObject({ legacyLaps: 2 });
    expect(s.presenceReadable).toEqual({ legacy: true, windowsClear: true, windowsEncrypted: true });
    const finance = admin.data.ous.find((o) => o.path === 'Workstations/Finance')!;
    expect(finance.states).toMatchObject({ legacy: 3 });
    expect(finance.health).toMatchObject({ rotating: 2, overdue: 1 });
    const sales = admin.data.ous.find((o) => o.path === 'Workstations/Sales')!;
    expect(sales).toMatchObject({ computers: 2, blocksInheritance: true, legacyGpos: [] });
    const ws = admin.data.gpos.find((g) => g.displayName === 'LAPS Legacy - Workstations')!;
    expect(ws.links).toEqual([{ at: lab().ous.workstations, atPath: 'Workstations', enforced: false, disabled: false }]);
    // Workstations (WS-GEN01, WS-STALE01, WS-JOINED01) + Finance 3 + Protected 1; Sales blocks inheritance
    expect(ws.computersReached).toBe(7);
    const srv = admin.data.gpos.find((g) => g.displayName === 'LAPS Legacy - Servers')!;
    expect(srv.links[0]).toMatchObject({ enforced: true });
    expect(srv.computersReached).toBe(3);
  });

  it('reports findings with stable codes', () => {
    const codes = admin.findings.map((f) => f.code);
    for (const code of ['PASSWORD_NOT_ROTATING', 'NEVER_MANAGED', 'OS_UNSUPPORTED', 'OS_PATCH_LEVEL_UNKNOWN', 'LEGACY_WITHOUT_GPO', 'GPO_INHERITANCE_BLOCKED', 'LEGACY_GPO_LINKED', 'BOTH_PASSWORDS', 'DOMAIN_CONTROLLERS_DSRM', 'STALE_COMPUTERS', 'DISABLED_COMPUTERS']) {
      expect(codes, code).toContain(code);
    }
    expect(codes).not.toContain('WINDOWS_LAPS_SCHEMA_MISSING');
    expect(codes).not.toContain('PASSWORD_PRESENCE_NOT_READABLE');
    expect(admin.findings.find((f) => f.code === 'LEGACY_WITHOUT_GPO')!.count).toBe(1);
    expect(admin.findings.find((f) => f.code === 'NEVER_MANAGED')!.count).toBe(2); // WS-JOINED01, UNK-01
    expect(admin.findings.find((f) => f.code === 'PASSWORD_NOT_ROTATING')!.count).toBe(4);
  });

  it('a plain user gets the same states, fewer presence facts, no errors', () => {
    const a = byName(admin);
    for (const c of user.data.computers) {
      const x = a.get(c.name)!;
      expect({ name: c.name, state: c.state, health: c.health, readiness: c.osReadiness }).toEqual({ name: x.name, state: x.state, health: x.health, readiness: x.osReadiness });
      expect(c.legacyPasswordPresent).toBeNull();
      expect(c.windowsClearPresent).toBeNull();
      expect(c.windowsEncryptedPresent).toBeNull();
    }
    expect(user.data.summary.states).toEqual(admin.data.summary.states);
    expect(user.data.summary.presenceReadable).toEqual({ legacy: false, windowsClear: false, windowsEncrypted: false });
    expect(user.findings.map((f) => f.code)).toContain('PASSWORD_PRESENCE_NOT_READABLE');
  });

  it('never puts a password in the result', () => {
    const text = JSON.stringify(admin);
    expect(text).not.toContain('NotARealPassw0rd!');
    expect(text).not.toMatch(/"p":/);
  });

  it('--ou limits the scope', async () => {
    const m = lab();
    const dir = await connectAs('user');
    try {
      const r = await runInventory(dir, { server: m.urls.ldaps, domain: m.dnsDomain, baseDn: m.baseDn, boundAs: 'user' }, { now, staleDays: 90, graceDays: 7, scope: m.ous.servers! });
      expect(r.data.computers.map((c) => c.name).sort()).toEqual(['SRV-APP01', 'SRV-WEB01', 'SRV-WEB02']);
    } finally {
      await dir.close();
    }
  });

  it('the CLI writes the reports (0600) and prints JSON without computers or secrets', () => {
    const out = mkdtempSync(join(tmpdir(), 'lm-reports-'));
    const r = cli(['inventory', '--profile', 'lab', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.data.summary.computers).toBe(16);
    expect(j.data.computers).toBeUndefined();
    const runDir = j.report as string;
    for (const f of ['summary.md', 'report.html', 'inventory.json', 'computers.csv', 'ous.csv', 'gpos.csv']) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
      expect(statSync(join(runDir, f)).mode & 0o777).toBe(0o600);
    }
    const csv = readFileSync(join(runDir, 'computers.csv'), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.trim().split('\n')).toHaveLength(17);
    for (const f of readdirSync(runDir)) expect(readFileSync(join(runDir, f), 'utf8')).not.toContain('NotARealPassw0rd!');
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    lastReportDir = runDir;
  });

  it('the report opens in headless Chromium with its charts and tables (screenshot kept)', async () => {
    expect(lastReportDir).toBeTruthy();
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(join(lastReportDir!, 'report.html')).href);
      for (const id of ['state', 'readiness', 'age', 'ous', 'health']) {
        expect(await page.locator(`[id*="${id}"] svg, svg[id*="${id}"]`).count(), id).toBeGreaterThan(0);
      }
      expect(await page.locator('table').count()).toBeGreaterThanOrEqual(3);
      const text = await page.locator('body').innerText();
      expect(text).toContain('FIN-WS02');
      expect(text).toContain('PASSWORD_NOT_ROTATING');
      expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
      const artifacts = resolve('test/artifacts');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'inventory-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

describe('inventory on a forest with a renamed legacy attribute', () => {
  const dir2 = mkdtempSync(join(tmpdir(), 'lm-renamed-'));
  afterAll(async () => {
    await labDown(join(dir2, 'lab'));
  });

  it('finds ms-Contoso-AdmPwd by its attributeID and classifies the same', async () => {
    const m = await labUp({ dir: join(dir2, 'lab'), ip: '127.0.0.12', legacySchema: 'renamed', profileName: false });
    const a = m.accounts.admin!;
    const dir = await LdapDirectory.connect({ server: m.urls.ldaps, caFile: m.caFile, user: a.userPrincipalName, password: readFileSync(a.passwordFile, 'utf8') });
    try {
      const r = await runInventory(dir, { server: m.urls.ldaps, domain: m.dnsDomain, baseDn: m.baseDn, boundAs: 'admin' }, { now, staleDays: 90, graceDays: 7 });
      expect(r.data.schema).toMatchObject({ legacyPasswordAttribute: 'ms-Contoso-AdmPwd', legacyRenamed: true, windowsLaps: false });
      expect(r.data.summary.states.legacy).toBe(10);
      expect(r.findings.map((f) => f.code)).toContain('LEGACY_SCHEMA_RENAMED');
      expect(r.data.computers.find((c) => c.name === 'FIN-WS01')).toMatchObject({ state: 'legacy', legacyPasswordPresent: true });
    } finally {
      await dir.close();
    }
  });
});
