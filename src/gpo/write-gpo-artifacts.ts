/**
 * The artifacts of a GPO edit for admins who change GPOs only from Windows: the PowerShell script
 * (GroupPolicy module) and the Registry.pol the edit produces, written into a step's report
 * folder (files 0600). Steps call it next to their plan; nothing here touches the GPO itself.
 */
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../config/paths.js';
import type { GpoEditPlan } from './plan-gpo-edit.js';

/** A file-name-safe form of a GPO name ("LAPS - Pilot" -> "LAPS-Pilot"). */
export function artifactBaseName(gpoName: string): string {
  const s = gpoName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+|-+$/g, '');
  return s.slice(0, 80) || 'gpo';
}

/** Writes `<name>.ps1` (and `<name>.Registry.pol` when settings change); returns the paths. */
export function writeGpoArtifacts(folder: string, gpoName: string, plan: Pick<GpoEditPlan, 'powershell' | 'registryPol'>): string[] {
  ensurePrivateDir(folder);
  const base = join(folder, artifactBaseName(gpoName));
  const written = [`${base}.ps1`];
  // PowerShell 5.1 reads a BOM-less script as the ANSI code page: the BOM keeps non-ASCII names intact
  writePrivateFile(written[0]!, `\ufeff${plan.powershell}`);
  if (plan.registryPol) {
    written.push(`${base}.Registry.pol`);
    writePrivateFile(written[1]!, plan.registryPol);
  }
  return written;
}
