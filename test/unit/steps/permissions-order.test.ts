import { describe, expect, it } from 'vitest';
import { computerOrderKey, PermissionsAnalysis, type ComputerInput, type LapsGuids, type Principal } from '../../../src/steps/permissions-analysis.js';
import { Guids, parseSddl, serializeSecurityDescriptor } from '../../../src/security/index.js';
import { dnKey } from '../../../src/directory/dn.js';
import { prng } from '../seeded-prng.js';

// The per-computer audit reads computers in the directory's order with one paged search, and in
// another order with --parallel (partitions on several connections, pages interleaved): the
// analysis must give the same result either way.
const dom = 'S-1-5-21-1000-2000-3000';
const base = 'DC=lab,DC=example,DC=test';
const LEGACY_PWD = '11111111-2222-3333-4444-555555555555';
const LEGACY_EXP = '11111111-2222-3333-4444-666666666666';
const g: LapsGuids = {
  computerClass: Guids.COMPUTER_CLASS,
  propertySet: Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES,
  attributes: { legacyPassword: { name: 'ms-Mcs-AdmPwd', guid: LEGACY_PWD }, legacyExpiration: { name: 'ms-Mcs-AdmPwdExpirationTime', guid: LEGACY_EXP } },
};
const bytes = (sddl: string) => serializeSecurityDescriptor(parseSddl(sddl, { domainSid: dom }));
const HELPDESK = `${dom}-1105`;
const OWNER = `${dom}-1106`;
const OU_A = `OU=A,${base}`;
const OU_B = `OU=B,${OU_A}`;
const PARKED = `CN=Parked,${OU_A}`;
// OU=A delegates legacy read to Helpdesk (inheritable to computers) and grants SELF the legacy write
const ouA = bytes(`O:DAD:(OA;CIIO;CRRP;${LEGACY_PWD};${Guids.COMPUTER_CLASS};${HELPDESK})(OA;CIIO;WP;${LEGACY_EXP};${Guids.COMPUTER_CLASS};PS)(OA;CIIO;WP;${LEGACY_PWD};${Guids.COMPUTER_CLASS};PS)(A;;RPLCLORC;;;AU)`);
const ouB = bytes('O:DAD:(A;;RPLCLORC;;;AU)');
const root = bytes('O:DAD:(A;;RPLCLORC;;;AU)(A;;GA;;;DA)');
// what the computers carry: the inherited ACEs, and (for a few) an ACE naming a computer's own SID
const inherited = `(OA;ID;CRRP;${LEGACY_PWD};;${HELPDESK})(OA;ID;WP;${LEGACY_EXP};;PS)(OA;ID;WP;${LEGACY_PWD};;PS)`;
const plain = bytes(`O:DAD:${inherited}(A;;RPLCLORC;;;AU)`);
const ownedByUser = bytes(`O:${OWNER}D:${inherited}(A;;RPLCLORC;;;AU)`);
const sidOf = (i: number) => `${dom}-${5000 + i}`;
const namesItself = (i: number) => bytes(`O:DAD:(OA;;WP;${LEGACY_PWD};;${sidOf(i)})(OA;;RPWP;${LEGACY_EXP};;PS)`);
const noSelf = bytes('O:DAD:(A;;RPLCLORC;;;AU)');

/** 60 computers in two OUs and a plain container: shared descriptors, owned ones, ones naming themselves, ties in encryptedFor. */
function estate(): ComputerInput[] {
  const out: ComputerInput[] = [];
  for (let i = 0; i < 60; i++) {
    const parent = i % 3 === 0 ? OU_A : i % 3 === 1 ? OU_B : PARKED;
    // i = 7 names itself; i = 8 carries the same bytes, which name another computer (7)
    const sd = i === 7 || i === 8 ? namesItself(7) : i % 10 === 5 ? ownedByUser : i % 13 === 0 ? noSelf : plain;
    out.push({
      dn: `CN=PC-${String(i % 20).padStart(2, '0')}${i >= 20 ? `-${i}` : ''},${parent}`,
      // names differing in case only: the DN decides
      name: i % 17 === 0 ? `pc-${i}` : `PC-${i}`,
      objectSid: sidOf(i),
      userAccountControl: 4096,
      legacyManaged: i % 2 === 0,
      windowsManaged: i % 4 === 0,
      ...(i % 5 === 0 ? { encryptedFor: i % 10 === 0 ? `${dom}-512` : `${dom}-1107` } : {}),
      sd: Buffer.from(sd),
    });
  }
  return out;
}

const principals: Principal[] = [
  { sid: HELPDESK, name: 'LAB\\Helpdesk', kind: 'group', groups: [] },
  { sid: OWNER, name: 'LAB\\joiner', kind: 'user', groups: [] },
];

function run(order: ComputerInput[]) {
  const a = new PermissionsAnalysis({ domainDn: base, domainSid: dom, laps: g, containers: [] });
  a.addContainer({ dn: base, kind: 'domain', classGuids: [Guids.DOMAIN_DNS_CLASS], sd: root });
  a.addContainer({ dn: OU_A, kind: 'ou', classGuids: [Guids.ORGANIZATIONAL_UNIT_CLASS], sd: ouA });
  a.addContainer({ dn: OU_B, kind: 'ou', classGuids: [Guids.ORGANIZATIONAL_UNIT_CLASS], sd: ouB });
  for (const c of order) a.addComputer(c);
  const missing = a.missingContainers();
  for (const dn of missing) a.addContainer({ dn, kind: 'container', classGuids: [Guids.CONTAINER_CLASS], sd: ouB });
  const result = a.finish(principals, { accounts: [{ label: 'joiner', sid: OWNER, groups: [] }, { label: 'pc-7', sid: sidOf(7), groups: [] }] });
  return { result, missing, states: a.containerStates().map((s) => s.input.dn), distinct: a.distinctComputerDescriptors };
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const r = prng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('the per-computer analysis does not depend on the order computers arrive in', () => {
  const computers = estate();
  const reference = run(computers);

  it('gives the same records, findings, summary, predictions, containers and plan input for any order', () => {
    const orders = [[...computers].reverse(), shuffled(computers, 1), shuffled(computers, 22), shuffled(computers, 333)];
    // partitions read at once: each container's computers in order, pages of 4 interleaved
    const byParent = [OU_A, OU_B, PARKED].map((p) => computers.filter((c) => c.dn.slice(c.dn.indexOf(',') + 1) === p));
    const interleaved: ComputerInput[] = [];
    for (let i = 0; interleaved.length < computers.length; i += 4) for (const part of byParent) interleaved.push(...part.slice(i, i + 4));
    expect(interleaved).toHaveLength(computers.length);
    orders.push(interleaved);
    for (const order of orders) {
      const other = run(order);
      expect(JSON.stringify(other.result)).toBe(JSON.stringify(reference.result));
      expect(other.missing).toEqual(reference.missing);
      expect(other.states).toEqual(reference.states);
      expect(other.distinct).toBe(reference.distinct);
    }
  });

  it('orders computers by container, then name (case-insensitive), then DN', () => {
    const keys = reference.result.computers.map((c) => computerOrderKey(dnKey(c.container), c.name, c.dn));
    expect(keys).toEqual([...keys].sort());
    expect(reference.result.computers).toHaveLength(60);
    expect(reference.result.predictions[0]!.computers.map((c) => c.dn)).toEqual(reference.result.computers.map((c) => c.dn));
  });

  it('breaks ties in encrypted-to counts by SID', () => {
    const parked = reference.result.containers.find((c) => dnKey(c.dn) === dnKey(PARKED))!;
    const counts = parked.encryptedFor.map((e) => e.computers);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    for (const c of reference.result.containers) {
      for (let i = 1; i < c.encryptedFor.length; i++) {
        const [x, y] = [c.encryptedFor[i - 1]!, c.encryptedFor[i]!];
        if (x.computers === y.computers) expect(x.sid < y.sid).toBe(true);
      }
    }
  });

  it('reads the descriptors of containers that hold computers but were not read, once each, in DN order', () => {
    expect(reference.missing).toEqual([PARKED]);
    expect(reference.states).toEqual([...reference.states].sort((a, b) => (dnKey(a) < dnKey(b) ? -1 : dnKey(a) > dnKey(b) ? 1 : 0)));
  });
});

describe('the descriptor cache (one evaluation per distinct descriptor and container)', () => {
  const at = (name: string, parent: string, sid: string, sd: Buffer): ComputerInput => ({ dn: `CN=${name},${parent}`, name, objectSid: sid, userAccountControl: 4096, legacyManaged: true, windowsManaged: false, sd: Buffer.from(sd) });
  const legacySelf = (a: PermissionsAnalysis) => Object.fromEntries(a.finish([]).computers.map((c) => [c.name, c.self.legacy]));

  it('a descriptor naming the computer itself is never shared, whichever computer comes first', () => {
    const seven = namesItself(7);
    for (const order of [['X', 'SEVEN', 'Y'], ['SEVEN', 'X', 'Y'], ['X', 'Y', 'SEVEN']]) {
      const a = new PermissionsAnalysis({ domainDn: base, domainSid: dom, laps: g, containers: [] });
      for (const n of order) a.addComputer(at(n, OU_A, n === 'SEVEN' ? sidOf(7) : n === 'X' ? sidOf(100) : sidOf(101), seven));
      // SEVEN may write its legacy password through the ACE naming its own SID; X and Y may not
      expect(legacySelf(a), order.join(',')).toEqual({ SEVEN: true, X: false, Y: false });
      expect(a.distinctComputerDescriptors).toBe(2);
    }
  });

  it('the same bytes in two containers are two profiles; the same bytes in one container, one', () => {
    const a = new PermissionsAnalysis({ domainDn: base, domainSid: dom, laps: g, containers: [] });
    for (let i = 0; i < 5; i++) a.addComputer(at(`A${i}`, OU_A, sidOf(200 + i), plain));
    for (let i = 0; i < 5; i++) a.addComputer(at(`B${i}`, OU_B, sidOf(300 + i), plain));
    a.addComputer(at('A9', OU_A, sidOf(209), noSelf));
    a.addComputer(at('A10', OU_A, sidOf(210), plain));
    expect(a.distinctComputerDescriptors).toBe(3);
    const self = legacySelf(a);
    expect(self.A9).toBe(false);
    expect(self.A10).toBe(true);
    expect(Object.values(self).filter(Boolean)).toHaveLength(11);
  });
});
