/**
 * Can this computer run Windows LAPS? From AD's operatingSystem / operatingSystemVersion only
 * (LAPS-FACTS section 7). AD does not hold the patch level, so builds that got Windows LAPS in
 * the April 2023 update are "supported if patched".
 */
export type OsReadiness = 'supported' | 'supported-if-patched' | 'unsupported' | 'not-windows' | 'unknown';

export interface OsReadinessResult {
  readiness: OsReadiness;
  build?: number;
  reason: string;
}

/** Builds that received Windows LAPS with the April 11, 2023 cumulative update. */
const PATCHED_BUILDS: Record<number, string> = {
  17763: 'Windows 10 1809 / Server 2019',
  19041: 'Windows 10 2004',
  19042: 'Windows 10 20H2',
  19043: 'Windows 10 21H1',
  19044: 'Windows 10 21H2',
  19045: 'Windows 10 22H2',
  20348: 'Windows Server 2022',
  22000: 'Windows 11 21H2',
  22621: 'Windows 11 22H2',
  22631: 'Windows 11 23H2',
  25398: 'Windows Server 23H2',
};

export const FIRST_INBOX_BUILD = 26100;

export function classifyOs(operatingSystem: string | undefined, operatingSystemVersion: string | undefined): OsReadinessResult {
  const os = (operatingSystem ?? '').trim();
  const ver = (operatingSystemVersion ?? '').trim();
  if (!os && !ver) return { readiness: 'unknown', reason: 'no operatingSystem in AD (never joined from Windows, or pre-created)' };
  if (os && !/windows/i.test(os)) return { readiness: 'not-windows', reason: `${os} is not Windows` };
  const m = /^(\d+)\.(\d+)\s*\((\d+)\)/.exec(ver);
  if (!m) {
    return { readiness: 'unknown', reason: `operatingSystemVersion "${ver || '(empty)'}" has no build number` };
  }
  const major = Number(m[1]);
  const build = Number(m[3]);
  if (major < 10) return { readiness: 'unsupported', build, reason: `Windows ${m[1]}.${m[2]} (build ${build}) has no Windows LAPS` };
  if (build >= FIRST_INBOX_BUILD) return { readiness: 'supported', build, reason: `build ${build} has Windows LAPS in-box` };
  const patched = PATCHED_BUILDS[build];
  if (patched) {
    return { readiness: 'supported-if-patched', build, reason: `${patched} (build ${build}) needs the April 2023 update or later; AD does not record the patch level` };
  }
  if (build === 14393) return { readiness: 'unsupported', build, reason: 'Windows Server 2016 / Windows 10 1607 (build 14393) never received Windows LAPS' };
  return { readiness: 'unsupported', build, reason: `build ${build} never received Windows LAPS (out of support)` };
}
