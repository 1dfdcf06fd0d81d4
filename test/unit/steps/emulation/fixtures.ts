/** Plain-data computers and policies for the emulation step's pure tests. */
import { classifyOs } from '../../../../src/laps/os-readiness.js';
import type { PolicyFacts } from '../../../../src/steps/emulation/policy.js';
import type { ReadinessComputer } from '../../../../src/steps/emulation/readiness.js';

export const DOMAIN = 'DC=x,DC=test';

export const legacyOnly: PolicyFacts = {
  legacyEnabled: 'yes',
  windowsPolicy: 'no',
  windowsDisabled: false,
  legacyCseListed: true,
  legacy: { enabled: true, adminAccountName: undefined, passwordComplexity: 4, passwordLength: 14, passwordAgeDays: 30, expirationProtection: false, problems: [] },
  gpos: ['LAPS Legacy'],
  unknown: [],
};

export function computer(name: string, ou: string, over: Partial<ReadinessComputer> & { build?: string; os?: ReadinessComputer['os'] } = {}): ReadinessComputer {
  const { build, ...rest } = over;
  return {
    dn: `CN=${name},${ou},${DOMAIN}`,
    name,
    enabled: true,
    dc: false,
    os: classifyOs('Windows 11 Enterprise', `10.0 (${build ?? '22631'})`),
    legacySelf: 'yes',
    legacyManaged: true,
    windowsManaged: false,
    policy: legacyOnly,
    ...rest,
  };
}
