/**
 * What `gpo show` says about a GPO snapshot: both versions and whether they agree, the LAPS
 * settings decoded from Registry.pol, the links (order, enabled, enforced) and findings.
 * Pure: a snapshot in, a plain object out.
 */
import { isUserError } from '../errors.js';
import { hasExtensionPair } from '../laps/gpo-extensions.js';
import { ADMIN_TEMPLATES_PAIR, decodeLapsSettings, LEGACY_LAPS_PAIR, neededExtensionPairs, type DecodedLapsSettings } from '../laps/gpo-laps-settings.js';
import { linkOrder, linkSegments } from '../laps/gplink-edit.js';
import { machineVersion, parseGptIni, userVersion } from '../laps/gpt-ini.js';
import { parseRegistryPol, type PolicyEntry } from '../laps/registry-pol.js';
import type { GpoSnapshot } from './read-gpo.js';

export interface GpoFinding {
  code: string;
  severity: 'info' | 'warning' | 'blocker';
  object: string;
  message: string;
  evidence: string;
  advice: string;
}

export interface GpoLinkView {
  target: string;
  /** 1 = highest precedence among the links on that container. */
  order: number;
  enabled: boolean;
  enforced: boolean;
}

export interface GpoView {
  guid: string;
  dn: string;
  displayName: string | undefined;
  versions: {
    directory: { raw: string | undefined; user: number; machine: number } | undefined;
    sysvol: { value: number; user: number; machine: number } | undefined;
    agree: boolean | undefined;
  };
  machineExtensionNames: string | undefined;
  fileSysPath: string | undefined;
  sysvol: { folder: string | undefined; gptIni: string | undefined; registryPol: string | undefined } | undefined;
  registryPolEntries: number | undefined;
  laps: DecodedLapsSettings | undefined;
  links: GpoLinkView[];
  dc: { bound: string; pdc: string | undefined; boundIsPdc: boolean | undefined };
  findings: GpoFinding[];
}

function split(v: number): { user: number; machine: number } {
  return { user: userVersion(v), machine: machineVersion(v) };
}

export function describeGpo(g: GpoSnapshot): GpoView {
  const findings: GpoFinding[] = [];
  const object = `${g.container.displayName ?? ''} ${g.container.guid}`.trim();
  const add = (code: string, severity: GpoFinding['severity'], message: string, evidence: string, advice: string) => findings.push({ code, severity, object, message, evidence, advice });

  const raw = g.container.versionNumber;
  const adVersion = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  let iniVersion: number | undefined;
  let entries: PolicyEntry[] | undefined;
  if (g.sysvol) {
    if (!g.sysvol.gpoDir) {
      add('GPO_SYSVOL_MISSING', 'warning', 'the GPO has no folder in SYSVOL', `${g.sysvol.policiesDir} has no ${g.container.guid}`, 'Check SYSVOL replication (DFSR) to this copy, or that --sysvol points at the right domain.');
    } else {
      if (g.sysvol.gptIni === null) add('GPO_SYSVOL_MISSING', 'warning', 'the GPO folder has no GPT.INI', g.sysvol.gpoDir, 'Check SYSVOL replication; GPMC writes GPT.INI with every edit.');
      else {
        try {
          iniVersion = parseGptIni(g.sysvol.gptIni, g.sysvol.gptIniPath).version;
        } catch (e) {
          add('GPT_INI_MALFORMED', 'warning', 'GPT.INI cannot be read', isUserError(e) ? e.message : String(e), 'Open the GPO in GPMC and save it, or restore GPT.INI from a backup.');
        }
      }
      if (g.sysvol.registryPol !== null) {
        try {
          entries = parseRegistryPol(g.sysvol.registryPol, g.sysvol.registryPolPath);
        } catch (e) {
          add('REGISTRY_POL_MALFORMED', 'warning', 'Machine/Registry.pol cannot be read: clients ignore the GPO\'s registry settings', isUserError(e) ? e.message : String(e), 'Restore Registry.pol from a GPO backup, or recreate the settings in GPMC.');
        }
      } else entries = [];
    }
  } else {
    add('GPO_SYSVOL_NOT_READ', 'info', 'the SYSVOL half was not read: settings and version agreement unknown', 'no --sysvol (or profile "sysvol")', 'Pass --sysvol PATH (the mounted or copied SYSVOL share).');
  }
  const agree = adVersion !== undefined && iniVersion !== undefined ? adVersion === iniVersion : undefined;
  if (agree === false) {
    add('GPO_VERSION_MISMATCH', 'warning', 'the two halves of the GPO disagree on its version: SYSVOL replication is behind, or an edit stopped half-way', `versionNumber ${adVersion} (user ${userVersion(adVersion!)}, machine ${machineVersion(adVersion!)}), GPT.INI Version ${iniVersion} (user ${userVersion(iniVersion!)}, machine ${machineVersion(iniVersion!)})`, 'Wait for replication (or check DFSR health on the PDC emulator) before editing; laps-migrate refuses to edit a GPO whose halves disagree.');
  }
  const laps = entries ? decodeLapsSettings(entries) : undefined;
  if (laps && laps.anomalies.length) add('GPO_LAPS_SETTING_ANOMALY', 'warning', 'LAPS values in Registry.pol that LAPS.admx / AdmPwd.admx do not write', laps.anomalies.join('; '), 'Fix them in GPMC; devices may ignore or misread them.');
  if (entries) {
    for (const pair of neededExtensionPairs(entries)) {
      if (hasExtensionPair(g.container.machineExtensionNames, pair)) continue;
      // legacy GPOs written by scripts often list only the AdmPwd CSE, which reads the values itself
      if (pair === ADMIN_TEMPLATES_PAIR && hasExtensionPair(g.container.machineExtensionNames, LEGACY_LAPS_PAIR)) continue;
      {
        add('GPO_EXTENSION_MISSING', 'warning', `Registry.pol holds settings but gPCMachineExtensionNames does not list ${pair.cse}`, `gPCMachineExtensionNames: ${g.container.machineExtensionNames ?? '(absent)'}`, 'Clients skip a client-side extension the GPO does not list: re-save the setting in GPMC, or let laps-migrate write the GPO.');
      }
    }
  }
  if (g.dc.boundIsPdc === false) add('GPO_BOUND_DC_NOT_PDC', 'info', 'the bound DC is not the PDC emulator, where GPMC makes GPO edits', `bound to ${g.dc.boundDnsHostName}; PDC emulator ${g.dc.pdcDnsHostName ?? g.dc.pdcServer ?? '?'}`, 'Connect to the PDC emulator (and mount its SYSVOL) before changing GPOs.');

  const links: GpoLinkView[] = [];
  for (const h of g.linkHolders) {
    for (const s of linkSegments(h.gpLink)) {
      if (s.guid !== g.container.guid) continue;
      links.push({ target: h.dn, order: linkOrder(h.gpLink, g.container.guid) ?? 0, enabled: (s.options & 1) === 0, enforced: (s.options & 2) === 2 });
    }
  }
  return {
    guid: g.container.guid,
    dn: g.container.dn,
    displayName: g.container.displayName,
    versions: {
      directory: adVersion !== undefined ? { raw, ...split(adVersion) } : undefined,
      sysvol: iniVersion !== undefined ? { value: iniVersion, ...split(iniVersion) } : undefined,
      agree,
    },
    machineExtensionNames: g.container.machineExtensionNames,
    fileSysPath: g.container.fileSysPath,
    sysvol: g.sysvol ? { folder: g.sysvol.gpoDir, gptIni: g.sysvol.gptIniPath, registryPol: g.sysvol.registryPolPath } : undefined,
    registryPolEntries: entries?.length,
    laps,
    links,
    dc: { bound: g.dc.boundDnsHostName, pdc: g.dc.pdcDnsHostName ?? g.dc.pdcServer, boundIsPdc: g.dc.boundIsPdc },
    findings,
  };
}
