/**
 * Whether each computer of a wave may write its own Windows LAPS attributes (and read its own
 * encrypted password, needed to keep the history), from its own security descriptor as the DC
 * stores it (inherited ACEs included), evaluated with the permissions step's evaluator. Also
 * whether the central store holds LAPS.admx.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePoliciesDir } from '../../directory/sysvol.js';
import { sidToString } from '../../dtyp/sid.js';
import { parseSecurityDescriptor, type SecurityDescriptor } from '../../security/index.js';
import { selfCoverage } from '../permissions/evaluate.js';
import type { LapsGuids, SelfCoverage } from '../permissions/model.js';

interface Seen {
  sd: SecurityDescriptor;
  coverage?: SelfCoverage;
}

/** Distinct descriptors remembered (most computers of an OU share theirs, byte for byte). */
const CACHE_LIMIT = 512;

/**
 * SELF coverage of each computer from its own descriptor (owner and DACL, as read with SD flags 5
 * in the wave's search, inherited ACEs included) and its objectSid. Computers created the same
 * way under one OU carry the same descriptor bytes: each distinct descriptor is parsed once and,
 * when the computer's own SID appears nowhere in it (not as owner, not in an ACE), its coverage
 * is the same for every such computer (the evaluation only compares SIDs) and is computed once.
 * At 10,000 computers this took most of a second of the main thread off the cutover's read.
 * Memory stays bounded: past CACHE_LIMIT distinct descriptors, new ones are parsed and not kept.
 */
export class SelfCoverageReader {
  private readonly seen = new Map<string, Seen>();
  /** The last descriptor met (a copy): consecutive computers mostly share it, compared byte for byte without a key. */
  private last: { bytes: Buffer; hit: Seen } | undefined;

  constructor(private readonly guids: LapsGuids, private readonly domainSid: string) {}

  /** The parsed descriptor (shared between computers with the same bytes: do not modify) and the coverage. */
  read(sdBytes: Buffer, objectSid: Buffer): { sd: SecurityDescriptor; coverage: SelfCoverage } {
    let hit = this.last?.bytes.equals(sdBytes) ? this.last.hit : undefined;
    if (!hit) {
      const key = sdBytes.toString('latin1');
      hit = this.seen.get(key);
      if (!hit) {
        hit = { sd: parseSecurityDescriptor(sdBytes) };
        if (this.seen.size < CACHE_LIMIT) this.seen.set(key, hit);
      }
      this.last = { bytes: Buffer.from(sdBytes), hit };
    }
    const evaluate = () => selfCoverage(hit.sd, this.guids, sidToString(objectSid), this.domainSid);
    const coverage = sdBytes.indexOf(objectSid) >= 0 ? evaluate() : (hit.coverage ??= evaluate());
    return { sd: hit.sd, coverage };
  }
}

/** The central store (Policies/PolicyDefinitions) and whether it has LAPS.admx; undefined without SYSVOL. */
export function centralStore(sysvol: string | undefined, dnsDomain: string): { exists: boolean; hasLapsAdmx: boolean } | undefined {
  if (!sysvol) return undefined;
  const store = join(resolvePoliciesDir(sysvol, dnsDomain), 'PolicyDefinitions');
  if (!existsSync(store)) return { exists: false, hasLapsAdmx: false };
  return { exists: true, hasLapsAdmx: readdirSync(store).some((f) => f.toLowerCase() === 'laps.admx') };
}
