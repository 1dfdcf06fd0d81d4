/** `laps-migrate connect`: bind and print what an admin checks first. */
import type { Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, baseDnOf, openDirectory, type ConnectionFlags } from './connection-options.js';
import type { DomainFacts } from '../directory/domain-facts.js';

/** What `connect` shows: the domain, its functional levels, the TLS state and who we are bound as. */
export function describeConnection(f: DomainFacts): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const tls = f.connection.tls === 'plain' ? 'none (plain LDAP)' : `${f.connection.tls === 'ldaps' ? 'LDAPS' : 'StartTLS'}, certificate ${f.connection.certificateVerified ? 'verified' : 'NOT verified'}`;
  const lines = [
    `Domain              ${f.dnsDomain}${f.netbiosDomain ? ` (NetBIOS ${f.netbiosDomain})` : ''}`,
    `Domain DN / SID     ${f.domainDn}  ${f.domainSid}`,
    `Domain controller   ${f.dcHost}`,
    `Connection          ${f.connection.url}, TLS: ${tls}`,
    `Functional levels   domain ${f.domainFunctionalLevel.name}, forest ${f.forestFunctionalLevel.name}, DC ${f.dcFunctionalLevel.name}`,
    `Schema version      ${f.schemaVersion.objectVersion ?? 'unknown'}${f.schemaVersion.name ? ` (${f.schemaVersion.name})` : ''}`,
    `Bound as            ${f.boundAs.dn}`,
    `                    ${f.boundAs.sid}, ${f.boundAs.groupCount} groups`,
    `                    Domain Admin: ${yes(f.boundAs.domainAdmin)}, Schema Admin: ${yes(f.boundAs.schemaAdmin)}, Enterprise Admin: ${yes(f.boundAs.enterpriseAdmin)}`,
  ];
  if (f.domainFunctionalLevel.level < 7) {
    lines.push('', `Note: domain functional level ${f.domainFunctionalLevel.name} is below 2016: Windows LAPS cannot encrypt passwords in AD until it is raised.`);
  }
  return lines;
}

export function registerConnect(program: Command): void {
  const cmd = program
    .command('connect')
    .description('bind to a domain controller and show the domain, its functional levels, the TLS state and who we are bound as');
  addConnectionOptions(cmd).option('--json', 'print the result as JSON');
  cmd.action(
    action(async (flags: ConnectionFlags & { json?: boolean }) => {
      const { gatherDomainFacts } = await import('../directory/domain-facts.js');
      const dir = await openDirectory(flags);
      try {
        const f = await gatherDomainFacts(dir);
        // a --base-dn (or profile baseDn) that does not exist is an input error here too, not at the first search
        await baseDnOf(dir, flags);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(`${describeConnection(f).join('\n')}\n`);
        return 0;
      } finally {
        await dir.close();
      }
    }),
  );
}
