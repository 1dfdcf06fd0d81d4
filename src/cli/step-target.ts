/**
 * Connection -> what a StepContext needs: the bound directory, the domain facts and the target.
 * One place for every caller that runs steps against a live DC (`run --playbook` connects once
 * for all its steps). The caller closes the directory.
 */
import type { Directory } from '../directory/types.js';
import type { DomainFacts } from '../directory/domain-facts.js';
import type { TargetInfo } from '../model/step-result.js';
import { baseDnOf, openDirectory, type ConnectionDefaults, type ConnectionFlags } from './connection-options.js';

export interface StepTarget {
  dir: Directory;
  facts: DomainFacts;
  target: TargetInfo;
}

export async function connectStepTarget(flags: ConnectionFlags, defaults: ConnectionDefaults = {}): Promise<StepTarget> {
  const { gatherDomainFacts } = await import('../directory/domain-facts.js');
  const dir = await openDirectory(flags, defaults);
  try {
    const facts = await gatherDomainFacts(dir);
    return { dir, facts, target: { server: dir.facts.url, domain: facts.dnsDomain, baseDn: await baseDnOf(dir, flags), boundAs: facts.boundAs.dn } };
  } catch (e) {
    await dir.close().catch(() => undefined);
    throw e;
  }
}
