/**
 * GPT.INI, the SYSVOL half's version file: "[General]" with "Version=N" (and often displayName).
 * N packs two counters like the container's versionNumber: the user half in the high 16 bits,
 * the machine half in the low 16 bits (MS-GPOL 2.2.4). Read as latin1 so that editing the
 * Version line leaves every other byte (encoding, line endings, other keys) exactly as it was.
 */
import { InputError } from '../errors.js';

export interface GptIni {
  /** The Version value of [General]; undefined when absent. */
  version: number | undefined;
  displayName: string | undefined;
}

interface Line {
  text: string;
  eol: string;
}

function lines(buf: Buffer): Line[] {
  const text = buf.toString('latin1');
  const out: Line[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m[0] !== '') out.push({ text: m[1]!, eol: m[2]! });
  return out;
}

const SECTION = /^\s*\[([^\]]*)\]\s*$/;
const KEY = /^\s*([^=;#]+?)\s*=(.*)$/;

/** [start, end) line indexes of the [General] section (start = the header line), or undefined. */
function generalSection(ls: Line[]): [number, number] | undefined {
  const start = ls.findIndex((l) => SECTION.exec(l.text)?.[1]?.trim().toLowerCase() === 'general');
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < ls.length && !SECTION.test(ls[end]!.text)) end++;
  return [start, end];
}

function parseVersion(raw: string, source: string): number {
  const t = raw.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) > 0xffffffff) throw new InputError(`${source}: Version must be an integer 0..4294967295, not "${t.slice(0, 40)}"`, { reason: 'GPT_INI_MALFORMED' });
  return Number(t);
}

export function parseGptIni(buf: Buffer, source = 'GPT.INI'): GptIni {
  const ls = lines(buf);
  const sec = generalSection(ls);
  let version: number | undefined;
  let displayName: string | undefined;
  if (sec) {
    for (let i = sec[0] + 1; i < sec[1]; i++) {
      const m = KEY.exec(ls[i]!.text);
      if (!m) continue;
      const k = m[1]!.toLowerCase();
      if (k === 'version') version = parseVersion(m[2]!, `${source} line ${i + 1}`);
      else if (k === 'displayname') displayName = m[2]!.trim();
    }
  }
  return { version, displayName };
}

/** The file with [General] Version set to `version`; every other byte unchanged. */
export function setGptIniVersion(buf: Buffer, version: number): Buffer {
  if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) throw new InputError(`GPT.INI version ${version} out of range`);
  const ls = lines(buf);
  const eol = ls.find((l) => l.eol)?.eol ?? '\r\n';
  const sec = generalSection(ls);
  if (!sec) {
    const head = `[General]${eol}Version=${version}${eol}`;
    return Buffer.concat([Buffer.from(head, 'latin1'), buf]);
  }
  let done = false;
  for (let i = sec[0] + 1; i < sec[1]; i++) {
    const l = ls[i]!;
    const m = KEY.exec(l.text);
    if (m && m[1]!.toLowerCase() === 'version') {
      // keep the key's spelling and the spaces around "=" (and any trailing spaces)
      const m2 = /^([^=]*=\s*)\S*(\s*)$/.exec(l.text);
      l.text = m2 ? `${m2[1]}${version}${m2[2]}` : `${l.text.slice(0, l.text.indexOf('=') + 1)}${version}`;
      done = true;
    }
  }
  if (!done) {
    if (!ls[sec[0]]!.eol) ls[sec[0]]!.eol = eol;
    ls.splice(sec[0] + 1, 0, { text: `Version=${version}`, eol });
  }
  return Buffer.from(ls.map((l) => l.text + l.eol).join(''), 'latin1');
}

/** A fresh GPT.INI as GPMC writes one. */
export function newGptIni(version: number, displayName?: string): Buffer {
  return Buffer.from(`[General]\r\nVersion=${version}\r\n${displayName ? `displayName=${displayName}\r\n` : ''}`, 'latin1');
}

export function machineVersion(v: number): number {
  return v & 0xffff;
}

export function userVersion(v: number): number {
  return (v >>> 16) & 0xffff;
}

/**
 * The version after one machine-side edit: machine half + 1, user half unchanged. The 16-bit
 * machine counter wraps to 1 (0 would read as "no machine settings ever written").
 */
export function bumpMachineVersion(v: number): number {
  const next = (machineVersion(v) + 1) & 0xffff;
  return ((userVersion(v) << 16) | (next === 0 ? 1 : next)) >>> 0;
}
