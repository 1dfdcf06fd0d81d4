import { describe, expect, it } from 'vitest';
import { addEntry, addValues, createPlan, deleteValues, replaceDacl, replaceValues } from '../../../src/journal/change.js';
import { planToJson, renderPlan } from '../../../src/journal/render-plan.js';
import { diffSddlDacl, parseSddlDacl } from '../../../src/journal/sddl-ace-diff.js';
import { BASE, ouDn, SELF_WRITE } from './helpers.js';
import { daclDescriptor, describeTestDescriptor, ouDescriptor } from './sd-bytes.js';

describe('parseSddlDacl / diffSddlDacl', () => {
  it('finds the DACL flags and ACEs between the owner/group and SACL sections', () => {
    const sddl = 'O:DAG:DDD:PAI(A;;RPWP;;;S-1-5-10)(OA;CIIO;CR;f3531ec6-6330-4f8e-8d39-7a671fbac605;bf967a86-0de6-11d0-a285-00aa003049e2;PS)S:AI(AU;SA;WP;;;WD)';
    expect(parseSddlDacl(sddl)).toEqual({
      flags: 'PAI',
      aces: ['(A;;RPWP;;;S-1-5-10)', '(OA;CIIO;CR;f3531ec6-6330-4f8e-8d39-7a671fbac605;bf967a86-0de6-11d0-a285-00aa003049e2;PS)'],
    });
    expect(parseSddlDacl('O:BAG:BA')).toBeUndefined();
  });

  it('keeps conditional ACEs (nested parentheses) whole', () => {
    expect(parseSddlDacl('D:(XA;;FX;;;S-1-1-0;(@User.Title=="PM" && (@User.Division=="Finance")))(A;;FA;;;BA)')?.aces).toEqual([
      '(XA;;FX;;;S-1-1-0;(@User.Title=="PM" && (@User.Division=="Finance")))',
      '(A;;FA;;;BA)',
    ]);
  });

  it('reports added and removed ACEs as multisets, flag changes, and pure reordering', () => {
    expect(diffSddlDacl('D:AI(A;;RP;;;AU)(A;;RP;;;AU)(D;;WP;;;WD)', 'D:PAI(A;;RP;;;AU)(A;;CR;;;S-1-5-10)')).toEqual({
      flagsBefore: 'AI',
      flagsAfter: 'PAI',
      added: ['(A;;CR;;;S-1-5-10)'],
      removed: ['(A;;RP;;;AU)', '(D;;WP;;;WD)'],
      reordered: false,
    });
    expect(diffSddlDacl('D:(A;;RP;;;AU)(D;;WP;;;WD)', 'D:(D;;WP;;;WD)(A;;RP;;;AU)')).toMatchObject({ added: [], removed: [], reordered: true });
  });
});

describe('renderPlan', () => {
  it('shows the ACEs an ACL change adds and removes when a describer is injected', () => {
    const before = ouDescriptor([{ type: 0, flags: 0, mask: 0x100, sid: 'S-1-5-21-1-2-3-1105' }]);
    const after = ouDescriptor([SELF_WRITE]);
    const plan = createPlan('permissions', [replaceDacl({ dn: ouDn('A'), reason: 'replace the legacy read delegation', before, after })]);
    const text = renderPlan(plan, { describeDescriptor: describeTestDescriptor });
    expect(text).toContain('Plan for step "permissions": 1 change\n');
    expect(text).toContain('[c1] replace DACL of OU=A,DC=memory,DC=test');
    expect(text).toContain('why: replace the legacy read delegation');
    expect(text).toContain('- (A;;0x100;;;S-1-5-21-1-2-3-1105)');
    expect(text).toContain('+ (A;CI;0x20;;;S-1-5-10)');
    // inherited ACEs are in both: not listed
    expect(text).not.toContain('S-1-5-18');
  });

  it('shows a DACL flag change and falls back to sizes and digests without a describer', () => {
    const before = daclDescriptor([SELF_WRITE]);
    const after = daclDescriptor([SELF_WRITE], 0x9404);
    const plan = createPlan('p', [replaceDacl({ dn: ouDn('A'), reason: 'protect', before, after })]);
    expect(renderPlan(plan, { describeDescriptor: describeTestDescriptor })).toContain('DACL flags: "AI" -> "PAI"');
    expect(before.length).toBe(20 + 8 + 8 + 12);
    expect(renderPlan(plan)).toMatch(/descriptor 48 bytes \(sha256 [0-9a-f]{12}\) -> 48 bytes \(sha256 [0-9a-f]{12}\)/);
    const broken = renderPlan(plan, {
      describeDescriptor: () => {
        throw new Error('cannot parse');
      },
    });
    expect(broken).toContain('(the descriptor could not be decoded)');
  });

  it('shows value diffs, entries, and marks irreversible changes with the flag needed', () => {
    const plan = createPlan('cutover', [
      replaceValues({ dn: ouDn('A'), attribute: 'gPLink', reason: 'link', before: ['[LDAP://old;0]'], values: ['[LDAP://new;0]'] }),
      addValues({ dn: ouDn('A'), attribute: 'description', reason: 'note', before: ['a', 'b'], values: ['c'] }),
      deleteValues({ dn: `CN=PC1,${BASE}`, attribute: 'ms-Mcs-AdmPwd', reason: 'clear', before: ['Secret-Value-77'] }),
      addEntry({ dn: `OU=New,${BASE}`, reason: 'staging', attributes: { objectClass: ['top', 'organizationalUnit'], ou: ['New'] }, irreversible: true }),
    ]);
    const text = renderPlan(plan);
    expect(text).toContain('Plan for step "cutover": 4 changes, 2 IRREVERSIBLE');
    expect(text).toContain('[c1] replace gPLink on OU=A,DC=memory,DC=test\n');
    expect(text).toContain('- gPLink: [LDAP://old;0]');
    expect(text).toContain('+ gPLink: [LDAP://new;0]');
    expect(text).toContain('[c2] add values to description');
    expect(text).toContain('+ description: c');
    expect(text).toContain('(2 other values unchanged)');
    expect(text).toContain('[c3] delete values of ms-Mcs-AdmPwd on CN=PC1,DC=memory,DC=test   IRREVERSIBLE');
    expect(text).toContain('- ms-Mcs-AdmPwd: <secret: 1 value, 15 bytes; value not recorded>');
    expect(text).toContain('+ ms-Mcs-AdmPwd: <secret: absent>');
    expect(text).not.toContain('Secret-Value-77');
    expect(text).toContain('[c4] add entry OU=New,DC=memory,DC=test   IRREVERSIBLE');
    expect(text).toContain('+ objectClass: top');
    expect(text).toContain('applying needs --confirm-irreversible (--yes does not cover it)');
  });

  it('shows binary values as length and a hex head, and truncates long value lists', () => {
    const many = Array.from({ length: 30 }, (_, i) => `v${i}`);
    const plan = createPlan('x', [
      replaceValues({ dn: ouDn('A'), attribute: 'url', reason: 'r', before: [], values: many }),
      replaceValues({ dn: ouDn('A'), attribute: 'thumbnailPhoto', reason: 'r', before: [], values: [Buffer.from('00112233445566778899aabbccddeeff0011', 'hex')] }),
    ]);
    const text = renderPlan(plan, { maxValues: 5 });
    expect(text).toContain('... and 25 more');
    expect(text).toContain('+ thumbnailPhoto: <binary, 18 bytes: 00112233445566778899aabbccddeeff...>');
  });

  it('says when there is nothing to do, and gives JSON in the journaled (secret-free) form', () => {
    expect(renderPlan(createPlan('schema', []))).toBe('Plan for step "schema": 0 changes\n  nothing to change\n');
    const sd = ouDescriptor();
    const json = planToJson(createPlan('p', [replaceDacl({ dn: ouDn('A'), reason: 'r', before: sd, after: sd })]));
    expect(json.changes[0]).toMatchObject({ kind: 'replace-dacl', before: sd.toString('base64'), sdFlags: 4 });
  });
});

describe('change builders', () => {
  it('refuses nTSecurityDescriptor as a plain attribute, empty DNs and duplicate ids (exit 2)', () => {
    expect(() => replaceValues({ dn: ouDn('A'), attribute: 'nTSecurityDescriptor', reason: 'r', before: [], values: ['x'] })).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => replaceDacl({ dn: ' ', reason: 'r', before: Buffer.alloc(1), after: Buffer.alloc(1) })).toThrow(/DN/);
    const d = replaceValues({ dn: ouDn('A'), attribute: 'description', reason: 'r', before: [], values: ['x'], id: 'c2' });
    expect(() => createPlan('x', [d, d])).toThrow(/duplicate change id c2/);
  });

  it('computes after-states and infers binary and secret attributes', () => {
    const add = addValues({ dn: 'x', attribute: 'member', reason: 'r', before: ['CN=a'], values: ['cn=A', 'CN=b'], match: 'case-ignore' });
    expect(add).toMatchObject({ operation: 'add', after: ['CN=a', 'CN=b'], match: 'case-ignore', secret: false, irreversible: false });
    const del = deleteValues({ dn: 'x', attribute: 'url', reason: 'r', before: ['a', 'b', 'c'], values: ['b'] });
    expect(del).toMatchObject({ operation: 'delete', after: ['a', 'c'] });
    const bin = replaceValues({ dn: 'x', attribute: 'msLAPS-CurrentPasswordVersion', reason: 'r', before: [], values: [Buffer.alloc(16)] });
    expect(bin).toMatchObject({ binary: true, secret: false });
    const renamed = deleteValues({ dn: 'x', attribute: 'ms-Fabrikam-AdmPwd', reason: 'r', before: ['p'] });
    expect(renamed).toMatchObject({ secret: true, irreversible: true });
    const marked = deleteValues({ dn: 'x', attribute: 'extensionAttribute9', reason: 'r', before: ['p'], secret: true });
    expect(marked).toMatchObject({ secret: true, irreversible: true });
    const entry = addEntry({ dn: 'x', reason: 'r', attributes: { objectClass: ['c'], blob: [Buffer.alloc(2)], note: ['n'] }, secretAttributes: ['note'] });
    expect(entry).toMatchObject({ binaryAttributes: ['blob'], secretAttributes: ['note'], secret: true, irreversible: true });
  });
});
