/**
 * `--sysvol PATH`: where the SYSVOL share is mounted or copied (its top folder, the domain
 * folder or the Policies folder), for commands that read or write the files of GPOs. A profile
 * can name it (`sysvol:`; the lab profile names the lab's own).
 */
import type { Command } from 'commander';
import { getProfile } from '../config/profiles.js';

export interface SysvolFlags {
  sysvol?: string;
  profile?: string;
}

export function addSysvolOption(cmd: Command): Command {
  return cmd.option('--sysvol <path>', 'SYSVOL share as mounted or copied: its top folder, the domain folder or Policies (default: the profile\'s "sysvol")');
}

/** --sysvol, else the profile's sysvol, else undefined (then only the directory half is read). */
export function resolveSysvol(flags: SysvolFlags): string | undefined {
  if (flags.sysvol) return flags.sysvol;
  if (flags.profile) return getProfile(flags.profile).sysvol;
  return undefined;
}
