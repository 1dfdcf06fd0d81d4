/**
 * Issue 21, part 1, against the lab DC: a rollback undoes only what its own run wrote. The DC
 * "dies" while a change is written (a loopback proxy cuts the connection as the write is
 * announced: the write does not land), a later run writes the same OU, and `laps-migrate
 * rollback` of the first run must leave the later run's change alone. Variants: the in-doubt
 * `writing` record of a killed process, a later run on another object, a lost write that did
 * land, and a change written again on top by a later run (exit 5, roll back that run first).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { applyPlan, JournalStore, type ApplyResult, type Plan } from '../../src/journal/index.js';
import { dacl, delegationPlan, SD_DACL } from './delegation-plan.js';
import { cli, connectAs, lab, passwordOf, resetLab, testRoot } from './lab-env.js';
import { startProxy } from './tcp-proxy.js';

const PROXY_PORT = 16391;

let admin: LdapDirectory;
let state: string;
let store: JournalStore;

beforeEach(async () => {
  admin = await connectAs('admin');
  state = mkdtempSync(join(testRoot(), 'rb-own-'));
  store = JournalStore.open(join(state, 'journal'));
});

afterEach(async () => {
  await admin.close();
  await resetLab();
});

/** Applies through a proxy that is cut the moment change `cutAt` announces its write (the write never reaches the DC). */
async function applyCutAt(plan: Plan, cutAt: number): Promise<ApplyResult> {
  const m = lab();
  const proxy = await startProxy(m.ip, PROXY_PORT, m.ip, 389);
  const dir = await LdapDirectory.connect({ server: `ldap://${m.ip}:${PROXY_PORT}`, startTls: true, caFile: m.caFile, user: m.accounts.admin!.userPrincipalName, password: passwordOf('admin') });
  try {
    return await applyPlan(dir, plan, store, { onProgress: (p) => p.state === 'writing' && p.index === cutAt && proxy.cutAll() });
  } finally {
    await dir.close().catch(() => undefined);
    await proxy.close();
  }
}

function rollback(runId: string, ...extra: string[]) {
  return cli(['--state-dir', state, 'rollback', runId, '--profile', 'lab', ...extra]);
}

/** The first run: c1 (Workstations) verified, c2 (Servers) cut while written. */
async function interruptedFirstRun(): Promise<{ plan: Plan; first: ApplyResult; ws: string; srv: string; originals: Map<string, Buffer> }> {
  const m = lab();
  const ws = m.ous.workstations!;
  const srv = m.ous.servers!;
  const originals = new Map([[ws, await dacl(admin, ws)], [srv, await dacl(admin, srv)]]);
  const plan = await delegationPlan(admin, [ws, srv], m.groups.serverteam!.sid, 'ownership');
  const first = await applyCutAt(plan, 1);
  expect(first.exitCode).toBe(5);
  expect(first.outcomes.map((o) => o.state)).toEqual(['verified', 'failed']);
  expect(first.stoppedAt?.message).toContain('may have reached the server');
  // the write did not land
  expect((await dacl(admin, srv)).equals(originals.get(srv)!)).toBe(true);
  return { plan, first, ws, srv, originals };
}

function afterOf(plan: Plan, dn: string): Buffer {
  const c = plan.changes.find((x) => x.dn === dn)!;
  if (c.kind !== 'replace-dacl') throw new Error('not a DACL change');
  return c.after;
}

describe('rollback undoes only what its own run wrote', () => {
  it('the issue\'s sequence: a later run wrote the OU the first run failed on; rollback of the first run leaves it alone', async () => {
    const { plan, first, ws, srv, originals } = await interruptedFirstRun();
    const second = await applyPlan(admin, plan, store);
    expect(second.outcomes.map((o) => o.state)).toEqual(['already-done', 'verified']);

    const preview = rollback(first.runId);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`undo-${plan.changes[0]!.id}`);
    expect(preview.stdout).not.toContain(`undo-${plan.changes[1]!.id}`);
    expect(preview.stdout).toMatch(new RegExp(`not rolled back: \\[${plan.changes[1]!.id}\\].*roll back ${second.runId}`));

    const r = rollback(first.runId, '--apply', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: 1 undone, 0 already as before/);
    expect((await dacl(admin, ws)).equals(originals.get(ws)!)).toBe(true);
    expect((await dacl(admin, srv)).equals(afterOf(plan, srv))).toBe(true);
    // a fresh plan for the second run's grant has nothing to do on Servers
    const fresh = await delegationPlan(admin, [srv], lab().groups.serverteam!.sid, 'again');
    const c = fresh.changes[0]!;
    expect(c.kind === 'replace-dacl' && c.before.equals(c.after)).toBe(true);
  });

  it('the same with an in-doubt "writing" record (the process was killed mid-write): the later run owns the OU', async () => {
    const { plan, first, ws, srv, originals } = await interruptedFirstRun();
    // what a killed process leaves: nothing after the record that announced the write
    const file = store.runFile(first.runId);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const writing = lines.findIndex((l) => l.includes('"state":"writing"') && l.includes(`"changeId":"${plan.changes[1]!.id}"`));
    writeFileSync(file, `${lines.slice(0, writing + 1).join('\n')}\n`);
    const index = readFileSync(store.indexFile, 'utf8').trim().split('\n').filter((l) => !(l.includes('run-index-end') && l.includes(first.runId)));
    writeFileSync(store.indexFile, `${index.join('\n')}\n`);
    const shown = cli(['--state-dir', state, 'journal', 'show', first.runId]);
    expect(shown.stdout).toMatch(new RegExp(`In doubt .*: ${plan.changes[1]!.id}`));
    expect(shown.stdout).toMatch(/1 in doubt/);

    const second = await applyPlan(admin, plan, store);
    expect(second.outcomes.map((o) => o.state)).toEqual(['already-done', 'verified']);
    const r = rollback(first.runId, '--apply', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('has no end record');
    expect((await dacl(admin, ws)).equals(originals.get(ws)!)).toBe(true);
    expect((await dacl(admin, srv)).equals(afterOf(plan, srv))).toBe(true);
  });

  it('a later run on a different object: the in-doubt change is decided from the current state ("already as before")', async () => {
    const { first, ws, srv, originals } = await interruptedFirstRun();
    const kiosks = lab().ous.kiosks!;
    const other = await delegationPlan(admin, [kiosks], lab().groups.webops!.sid, 'elsewhere');
    expect((await applyPlan(admin, other, store)).exitCode).toBe(0);
    const r = rollback(first.runId, '--apply', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: 1 undone, 1 already as before/);
    expect((await dacl(admin, ws)).equals(originals.get(ws)!)).toBe(true);
    expect((await dacl(admin, srv)).equals(originals.get(srv)!)).toBe(true);
    expect((await dacl(admin, kiosks)).equals(afterOf(other, kiosks))).toBe(true);
  });

  it('a lost write that did land (no later run): it is this run\'s, and it is undone', async () => {
    const { plan, first, srv, originals } = await interruptedFirstRun();
    // the DC as if the lost write had reached it
    await admin.modify(srv, [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [afterOf(plan, srv)] }], { sdFlags: SD_DACL });
    const r = rollback(first.runId, '--apply', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: 2 undone/);
    expect((await dacl(admin, srv)).equals(originals.get(srv)!)).toBe(true);
  });

  it('a change a later run wrote on top of: exit 5 naming that run, nothing written; after rolling it back, the first goes through', async () => {
    const m = lab();
    const srv = m.ous.servers!;
    const original = await dacl(admin, srv);
    const first = await applyPlan(admin, await delegationPlan(admin, [srv], m.groups.serverteam!.sid, 'one'), store);
    expect(first.exitCode).toBe(0);
    const second = await applyPlan(admin, await delegationPlan(admin, [srv], m.groups.webops!.sid, 'two'), store);
    expect(second.exitCode).toBe(0);
    const now = await dacl(admin, srv);

    const blocked = rollback(first.runId, '--apply', '--yes');
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain(`roll back ${second.runId} first`);
    expect((await dacl(admin, srv)).equals(now)).toBe(true);
    expect(rollback(first.runId).code).toBe(5);

    expect(rollback(second.runId, '--apply', '--yes').code).toBe(0);
    const r = rollback(first.runId, '--apply', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect((await dacl(admin, srv)).equals(original)).toBe(true);
  });
});
