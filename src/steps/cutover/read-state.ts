/**
 * Where the migration stands, read from the directory only (issue 17: a second admin machine
 * sees the same state as the one that applied): for each wave, its GPO and whether it is linked
 * (enabled) on every OU of the wave, when that happened (replPropertyMetaData of gPLink on the
 * OUs and of versionNumber on the GPO), and each computer of the wave as plain facts for
 * verify.ts. Never a password: msLAPS-Password is only tested for presence with a filter.
 */
import { findGpoContainer, type GpoContainer } from '../../directory/gpo-container.js';
import { decodeComputer, computerAttributes, computersWith, COMPUTER_FILTER } from '../../directory/computers.js';
import { dnKey } from '../../directory/dn.js';
import { firstBinary, firstString } from '../../directory/entry.js';
import type { LapsSchema } from '../../directory/laps-schema.js';
import { findPropertyMetaData } from '../../directory/repl-metadata.js';
import type { DirEntry, Directory } from '../../directory/types.js';
import { isUserError } from '../../errors.js';
import { parseGpLink } from '../../laps/gpo-links.js';
import { pageComputers } from '../../directory/computer-partitions.js';
import { waveOf, type ResolvedWave } from './waves.js';
import { blobHeader, sidOf, type WaveComputer } from './verify.js';

/**
 * attids of base-schema attributes in replPropertyMetaData (MS-DRSR 5.16.4 prefix table:
 * 1.2.840.113556.1.4 -> 0x0009). gPLink is 1.2.840.113556.1.4.891, versionNumber is
 * 1.2.840.113556.1.4.141 (its attributeID in the schema, checked on the lab).
 */
export const ATTID_GPLINK = 0x0009037b;
export const ATTID_VERSION_NUMBER = 0x0009008d;

const DAY_MS = 86_400_000;
/** As the inventory's default staleDays: no logon for this long = stale (left behind, reported apart). */
export const STALE_DAYS = 90;

export interface WaveLinkState {
  ou: string;
  /** The wave's GPO is in this OU's gPLink and enabled. */
  linked: boolean;
  /** When this OU's gPLink was last written (its originating change time). */
  writtenAt?: Date;
}

export interface WaveGpoState {
  wave: ResolvedWave;
  /** undefined when no GPO of that name exists. */
  gpo: GpoContainer | undefined;
  links: WaveLinkState[];
  /** When the GPO's settings were last written (versionNumber's originating change time). */
  settingsWrittenAt?: Date;
  /**
   * The wave's start as the directory shows it, once every OU of the wave links the GPO enabled
   * (undefined = not started): the GPO's last settings write, which the cutover makes just before
   * it links the GPO. Not the OUs' last gPLink write: any later link edit on the same OU (the
   * cleanup unlinking the legacy GPO there, an unrelated GPO) would move it and turn verified
   * computers pending again. Only when the settings write is unknown do the link writes count.
   */
  startedAt?: Date;
}

function metaTime(buf: Buffer | undefined, attid: number): Date | undefined {
  if (!buf) return undefined;
  return findPropertyMetaData(buf, attid)?.changed;
}

export async function readWaveGpo(dir: Directory, domainDn: string, wave: ResolvedWave): Promise<WaveGpoState> {
  let gpo: GpoContainer | undefined;
  try {
    gpo = await findGpoContainer(dir, domainDn, wave.gpo);
  } catch (e) {
    if (!isUserError(e)) throw e;
    gpo = undefined;
  }
  const links: WaveLinkState[] = [];
  for (const ou of wave.ous) {
    const e = await dir.read(ou, ['gPLink', 'replPropertyMetaData'], { binaryAttributes: ['replPropertyMetaData'] });
    const link = gpo ? parseGpLink(firstString(e ?? { dn: ou, attributes: {} }, 'gPLink')).find((l) => l.guid === gpo!.guid) : undefined;
    const writtenAt = e ? metaTime(firstBinary(e, 'replPropertyMetaData'), ATTID_GPLINK) : undefined;
    links.push({ ou, linked: !!link && !link.disabled, ...(writtenAt ? { writtenAt } : {}) });
  }
  let settingsWrittenAt: Date | undefined;
  if (gpo) {
    const g = await dir.read(gpo.dn, ['replPropertyMetaData'], { binaryAttributes: ['replPropertyMetaData'] });
    settingsWrittenAt = g ? metaTime(firstBinary(g, 'replPropertyMetaData'), ATTID_VERSION_NUMBER) : undefined;
  }
  const started = links.length > 0 && links.every((l) => l.linked);
  const times = (settingsWrittenAt ? [settingsWrittenAt] : links.map((l) => l.writtenAt)).filter((d): d is Date => !!d).map((d) => d.getTime());
  const startedAt = started && times.length ? new Date(Math.max(...times)) : undefined;
  return { wave, gpo, links, ...(settingsWrittenAt ? { settingsWrittenAt } : {}), ...(startedAt ? { startedAt } : {}) };
}

function buildOf(osVersion: string | undefined): number | undefined {
  const m = /\((\d+)\)/.exec(osVersion ?? '');
  return m ? Number(m[1]) : undefined;
}

/** What a wave read may do with each entry as it arrives, page by page. */
export interface WaveReadHooks {
  /**
   * Reads nTSecurityDescriptor (owner and DACL, SD flags 5) and objectSid in the same search and
   * hands them over for each computer of the wave: one pass over the subtree instead of two
   * (issue 17: at 10,000 computers the DC served the descriptors as a second full search).
   * Computers whose descriptor the bound account may not read are not passed.
   */
  descriptor?: (dn: string, sd: Buffer, objectSid: Buffer) => void;
  /** Each computer of the wave as soon as its entry is decoded (the payload check starts decrypting then). */
  computer?: (c: WaveComputer) => void;
  /** More connections to page each OU's partitions on (directory/computer-partitions.ts) and the schema DN that plan needs. */
  parallel?: { more: Directory[]; schemaDn: string };
}

const NTSD = 'nTSecurityDescriptor';
const SD_OWNER_DACL = 0x5;
/** Smaller pages than the usual 1,000: two of them (one prefetched) hold less at once (RSS measured at 10,000). */
const PAGE_SIZE = 250;

/**
 * The computers of one wave (OU waves: each OU's subtree, minus those an earlier wave holds).
 * Page by page: only the facts verify.ts needs are kept (the blobs copied out of the page
 * buffers), so memory stays near the size of the blobs themselves at 10,000 computers.
 */
export async function readWaveComputers(dir: Directory, schema: LapsSchema, wave: ResolvedWave, waves: readonly ResolvedWave[], now: Date, hooks: WaveReadHooks = {}): Promise<WaveComputer[]> {
  const base = computerAttributes(schema);
  const withSd = !!hooks.descriptor;
  const attributes = [...base.attributes, 'sAMAccountName', ...(withSd ? [NTSD, 'objectSid'] : [])];
  const binaryAttributes = [...base.binaryAttributes, ...(withSd ? [NTSD, 'objectSid'] : [])];
  const out = new Map<string, WaveComputer>();
  const clearName = schema.password?.name;
  const histName = schema.encryptedPasswordHistory?.name;
  const encName = schema.encryptedPassword?.name;
  const clearWritten: WaveComputer[] = [];
  const onPage = (page: DirEntry[]) => {
    for (const e of page) {
      const key = dnKey(e.dn);
      if (out.has(key) || waveOf({ dn: e.dn, ...(firstString(e, 'sAMAccountName') ? { name: firstString(e, 'sAMAccountName')! } : {}) }, waves)?.name !== wave.name) continue;
      const f = decodeComputer(e, schema);
      // the history's SIDs only (verify.ts checks their principal and count, never decrypts them)
      const history = histName ? (e.attributes[histName.toLowerCase()] ?? []).filter(Buffer.isBuffer).map(sidOf) : [];
      const current = encName ? firstBinary(e, encName) : undefined;
      const encrypted = current ? Buffer.from(current) : undefined;
      const lastSeen = Math.max(f.lastLogon?.getTime() ?? 0, f.pwdLastSet?.getTime() ?? 0, f.whenCreated?.getTime() ?? 0);
      const expiries = [f.windowsExpires, f.legacyExpires].filter((d): d is Date => !!d).map((d) => d.getTime());
      const c: WaveComputer = {
        dn: f.dn,
        name: f.name,
        build: buildOf(f.operatingSystemVersion),
        windows: /windows/i.test(f.operatingSystem ?? ''),
        enabled: (f.userAccountControl & 2) === 0,
        stale: lastSeen > 0 && now.getTime() - lastSeen > STALE_DAYS * DAY_MS,
        writes: {
          ...(f.windowsClearWritten ? { clear: f.windowsClearWritten.at } : {}),
          ...(f.windowsEncryptedWritten ? { encrypted: f.windowsEncryptedWritten.at } : {}),
          ...(f.legacyPasswordWritten ? { legacy: f.legacyPasswordWritten.at } : {}),
        },
        clearPresent: false,
        ...(encrypted ? { encrypted, encryptedHeader: blobHeader(encrypted) } : {}),
        history,
        ...(expiries.length ? { expiresAt: new Date(Math.max(...expiries)) } : {}),
      };
      out.set(key, c);
      // unknown without the metadata (not readable): asked as well
      if (f.windowsClearWritten || !firstBinary(e, 'replPropertyMetaData')) clearWritten.push(c);
      if (withSd) {
        const sd = firstBinary(e, NTSD);
        const sid = firstBinary(e, 'objectSid');
        if (sd && sid) hooks.descriptor!(e.dn, sd, sid);
      }
      hooks.computer?.(c);
    }
  };
  const search = { filter: COMPUTER_FILTER, attributes, binaryAttributes, pageSize: PAGE_SIZE, ...(withSd ? { sdFlags: SD_OWNER_DACL } : {}) };
  // each OU's subtree: one paged stream, or its partitions paged on several connections (--parallel)
  for (const ou of wave.ous) await pageComputers(dir, hooks.parallel?.more ?? [], ou, hooks.parallel?.schemaDn ?? '', search, onPage);
  // presence only, and only where msLAPS-Password was ever written (no replication metadata for
  // it = never set; a deleted value keeps its metadata, so those computers are asked): the value,
  // a password, is never requested
  if (clearName && clearWritten.length) {
    const present = new Set<string>();
    for (const ou of wave.ous) for (const k of await computersWith(dir, ou, clearName)) present.add(k);
    for (const c of clearWritten) c.clearPresent = present.has(dnKey(c.dn));
  }
  // in DN order: the pages' order differs from run to run (and between partitionings)
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
}
