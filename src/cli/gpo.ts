/**
 * `laps-migrate gpo show NAME|GUID [--json] [--sysvol PATH]`: both halves of one GPO (the
 * groupPolicyContainer and its SYSVOL folder), the LAPS settings decoded from Registry.pol, the
 * links, whether the two halves agree, and which DC holds the PDC emulator role. Read-only.
 */
import type { Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, openDirectory, type ConnectionFlags } from './connection-options.js';
import { addSysvolOption, resolveSysvol, type SysvolFlags } from './sysvol-option.js';
import type { GpoView } from '../gpo/describe-gpo.js';

interface GpoShowFlags extends ConnectionFlags, SysvolFlags {
  json?: boolean;
}

function settingLines(title: string, values: Record<string, number | string> | undefined): string[] {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return [`  ${title}: none`];
  return [`  ${title}:`, ...entries.map(([k, v]) => `    ${k} = ${typeof v === 'string' ? JSON.stringify(v) : v}`)];
}

export function renderGpoView(v: GpoView): string {
  const out: string[] = [];
  out.push(`GPO "${v.displayName ?? '(no display name)'}" ${v.guid}`);
  out.push(`  container        ${v.dn}`);
  const d = v.versions.directory;
  const s = v.versions.sysvol;
  out.push(`  versionNumber    ${d ? `${d.raw} (user ${d.user}, machine ${d.machine})` : '(absent)'}`);
  out.push(`  GPT.INI Version  ${s ? `${s.value} (user ${s.user}, machine ${s.machine})` : v.sysvol ? '(absent)' : '(SYSVOL not read)'}`);
  out.push(`  halves agree     ${v.versions.agree === undefined ? 'unknown' : v.versions.agree ? 'yes' : 'NO'}`);
  out.push(`  machine CSEs     ${v.machineExtensionNames ?? '(none)'}`);
  out.push(`  gPCFileSysPath   ${v.fileSysPath ?? '(absent)'}`);
  if (v.sysvol) out.push(`  SYSVOL folder    ${v.sysvol.folder ?? '(missing)'}${v.registryPolEntries !== undefined ? `, Registry.pol ${v.registryPolEntries} entr${v.registryPolEntries === 1 ? 'y' : 'ies'}` : ''}`);
  out.push(`  DC               bound to ${v.dc.bound}; PDC emulator ${v.dc.pdc ?? 'unknown'}${v.dc.boundIsPdc ? ' (the same)' : ''}`);
  out.push('');
  out.push('LAPS settings (Machine/Registry.pol)');
  if (!v.laps) out.push('  unknown (SYSVOL not read)');
  else {
    out.push(...settingLines('Windows LAPS (GPO root)', v.laps.windowsLaps), ...settingLines('Legacy LAPS (AdmPwd)', v.laps.legacy));
    if (v.laps.deletions.length) out.push(`  deletions: ${v.laps.deletions.join(', ')}`);
    if (v.laps.otherEntries) out.push(`  other settings: ${v.laps.otherEntries} entr${v.laps.otherEntries === 1 ? 'y' : 'ies'} outside the LAPS keys`);
  }
  out.push('');
  out.push(`Links (${v.links.length})`);
  if (v.links.length === 0) out.push('  not linked to the domain or any OU');
  for (const l of v.links) out.push(`  ${l.target}  order ${l.order}, ${l.enabled ? 'enabled' : 'DISABLED'}${l.enforced ? ', enforced' : ''}`);
  if (v.findings.length) {
    out.push('');
    out.push('Findings');
    for (const f of v.findings) out.push(`  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`, `    evidence: ${f.evidence}`, `    advice: ${f.advice}`);
  }
  return `${out.join('\n')}\n`;
}

export function registerGpo(program: Command): void {
  const gpo = program.command('gpo').description('Group Policy objects: both halves (AD and SYSVOL), LAPS settings, links');
  const show = gpo.command('show').argument('<gpo>', 'display name or {GUID}').description('show one GPO: versions of both halves, LAPS settings, links, findings (read-only)');
  addSysvolOption(addConnectionOptions(show)).option('--json', 'print as JSON');
  show.action(
    action(async (name: string, flags: GpoShowFlags) => {
      const [{ readGpo }, { describeGpo }] = await Promise.all([import('../gpo/read-gpo.js'), import('../gpo/describe-gpo.js')]);
      const sysvol = resolveSysvol(flags);
      const dir = await openDirectory(flags);
      try {
        // GPOs live in the domain's CN=Policies,CN=System (never under a narrower --base-dn)
        const domainDn = (await dir.rootDse()).defaultNamingContext;
        const snapshot = await readGpo(dir, { domainDn, gpo: name, ...(sysvol ? { sysvol } : {}) });
        const view = describeGpo(snapshot);
        if (flags.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
        else process.stdout.write(renderGpoView(view));
        return 0;
      } finally {
        await dir.close();
      }
    }),
  );
}
