/**
 * `laps-migrate permissions`: step 3. Read-only audit (any domain account) plus the plan of what
 * --apply would change: SELF permissions for Windows LAPS (and legacy where needed), legacy
 * delegations mirrored onto the Windows LAPS attributes, opt-in remediation. Writes go through
 * the journal, only with --apply, after the plan is printed and confirmed (--yes, or a prompt in
 * a terminal; without either the command stops with exit 2 and writes nothing).
 */
import { Option, type Command } from 'commander';
import { action } from './action.js';
import { addConnectionOptions, baseDnOf, isInteractive, openDirectory, type ConnectionFlags } from './connection-options.js';
import { describeDescriptor } from './describe-descriptor.js';
import { ExitCode, InputError } from '../errors.js';

interface PermissionsFlags extends ConnectionFlags {
  perComputer?: boolean;
  ou: string[];
  explain: string[];
  apply?: boolean;
  yes?: boolean;
  self: boolean;
  legacySelf: boolean;
  mirror: boolean;
  removeAllExtendedRights?: boolean;
  fixOwners?: boolean;
  out: string;
  json?: boolean;
}

const collect = (v: string, prev: string[]) => [...prev, v];

function table(rows: string[][]): string[] {
  if (!rows.length) return [];
  const widths = rows[0]!.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

export function registerPermissions(program: Command): void {
  const cmd = program
    .command('permissions')
    .description('step 3: who can read/reset LAPS passwords and how, SELF coverage, delegation gaps; --apply grants SELF and mirrors delegations (journaled)');
  addConnectionOptions(cmd)
    .option('--per-computer', "read and evaluate every computer's own security descriptor (paged)")
    .option('--ou <dn>', 'containers (with their subtrees) the plan may change; repeat for several (default: all)', collect, [])
    .option('--explain <account>', 'predict, computer by computer, what this account can read and reset (repeatable)', collect, [])
    .option('--no-self', 'do not plan the Windows LAPS SELF permission')
    .option('--no-legacy-self', 'do not plan the legacy SELF permission for legacy-managed computers')
    .option('--no-mirror', 'do not mirror legacy read/reset/deny delegations onto the Windows LAPS attributes')
    .option('--remove-all-extended-rights', 'also remove All Extended Rights held by non-admin principals on computer OUs')
    .option('--fix-owners', 'also make Domain Admins the owner of computers owned by a non-admin (the account that joined them)')
    .option('--apply', 'write the planned changes through the journal (default: audit and plan only)')
    .option('--yes', 'do not ask before writing')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result (without the per-computer rows) and the plan as JSON on stdout');
  cmd.action(
    action(async (flags: PermissionsFlags) => {
      if (flags.yes && !flags.apply) throw new InputError('--yes only makes sense with --apply');
      // connect while the step's modules load
      const connecting = openDirectory(flags);
      connecting.catch(() => undefined);
      const [{ runPermissions, applyPermissions }, { permissionsReportModel }, { writeReport }, { gatherDomainFacts }, journal] = await Promise.all([
        import('../steps/permissions.js'),
        import('../steps/permissions-report.js'),
        import('../report/index.js'),
        import('../directory/domain-facts.js'),
        import('../journal/index.js'),
      ]);
      const dir = await connecting;
      try {
        const facts = await gatherDomainFacts(dir);
        const baseDn = await baseDnOf(dir, flags);
        const progress = process.stderr.isTTY && !flags.json;
        const runOptions = {
          now: new Date(),
          facts,
          perComputer: !!flags.perComputer,
          ...(flags.ou.length ? { scope: flags.ou } : {}),
          accounts: flags.explain,
          plan: { self: flags.self, legacySelf: flags.legacySelf, mirror: flags.mirror, removeAllExtendedRights: !!flags.removeAllExtendedRights, fixOwners: !!flags.fixOwners },
          ...(progress ? { onProgress: (n: number) => process.stderr.write(`\rread ${n} computers`) } : {}),
        };
        const target = { server: dir.facts.url, domain: facts.dnsDomain, baseDn, boundAs: facts.boundAs.dn };
        const { result, plan } = await runPermissions(dir, target, runOptions);
        if (progress) process.stderr.write('\n');
        const written = await writeReport(permissionsReportModel(result), { outDir: flags.out });
        const d = result.data;
        const s = d.summary;
        const blockers = result.findings.some((f) => f.severity === 'blocker');

        if (!flags.json) {
          const lines = [
            `Permissions in ${facts.dnsDomain}: ${s.computers} computers in ${s.containers} containers${s.perComputer ? ' (every computer descriptor read)' : ''}`,
            s.windowsLapsSchema
              ? `  SELF: ${s.self.windowsMissingComputers} computer(s) in ${s.self.windowsMissingContainers} container(s) cannot write Windows LAPS; ${s.self.legacyMissingComputers} legacy-managed computer(s) cannot write legacy LAPS`
              : `  SELF: Windows LAPS schema not extended; ${s.self.legacyMissingComputers} legacy-managed computer(s) cannot write legacy LAPS`,
            `  non-admin readers: ${s.nonAdminLegacyReaders} legacy, ${s.nonAdminWindowsReaders} Windows LAPS; gaps: ${s.readGaps} read, ${s.resetGaps} reset`,
            `  risky: ${s.risky.allExtendedRights} All Extended Rights, ${s.risky.fullControl} full control, ${s.risky.ownerCanRead} computer(s) owned by non-admins, ${s.risky.dirSync} DirSync reader(s)`,
            '',
            'Findings:',
            ...result.findings.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`),
            '',
          ];
          for (const p of d.predictions) {
            lines.push(`What ${p.account} can do (${s.perComputer ? "each computer's own descriptor" : "from each computer's OU; --per-computer reads the computers' own descriptors"}):`);
            for (const cap of ['readLegacy', 'readWindowsClear', 'readWindowsEncrypted', 'resetLegacy', 'resetWindows'] as const) {
              const names = p.computers.filter((c) => c[cap]).map((c) => c.name);
              lines.push(`  ${cap.padEnd(21)} ${names.length} computer(s)${names.length ? `: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}` : ''}`);
            }
            lines.push('');
          }
          if (d.plan.self.length) {
            lines.push('SELF permissions (containers holding computers):');
            lines.push(...table([['OU', 'computers', 'Windows now', 'legacy now', 'action', 'after (Windows / legacy)'], ...d.plan.self.map((r) => [r.container, String(r.computers), r.windowsNow && r.readEncryptedNow ? 'yes' : 'no', r.legacyNow ? 'yes' : 'no', r.action === 'grant' ? `grant ${r.grants.join(' + ')}` : r.action, `${r.windowsAfter && r.readEncryptedAfter ? 'yes' : 'no'} / ${r.legacyAfter ? 'yes' : 'no'}`])]));
            lines.push('');
          }
          if (d.plan.mirror.length) {
            lines.push('Legacy delegations mirrored onto Windows LAPS (same OU):');
            lines.push(...table([['OU', 'principal', 'kind', 'status', 'Windows LAPS ACEs'], ...d.plan.mirror.map((m) => [m.container, m.principal, m.kinds.join('/'), m.status, m.windowsAces.join(' ')])]));
            lines.push('');
          }
          if (d.plan.remediation.length) {
            lines.push('Remediation (opt-in):');
            lines.push(...table(d.plan.remediation.map((x) => [x.kind, x.object, x.principal, x.detail])));
            lines.push('');
          }
          lines.push(journal.renderPlan(plan, { describeDescriptor }).trimEnd());
          lines.push('', `Report: ${written.dir}/report.html (CSV: ous.csv, access.csv, computers.csv, plan-*.csv)`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        const { computers: _omit, ...rest } = d;
        const jsonOut: Record<string, unknown> = { ...result, data: rest, plan: journal.planToJson(plan), report: written.dir };

        if (!flags.apply) {
          if (flags.json) process.stdout.write(`${JSON.stringify({ ...jsonOut, applied: false }, null, 2)}\n`);
          else if (plan.changes.length) process.stderr.write('Nothing was written. To make these changes: add --apply (and --yes to skip the question).\n');
          return blockers ? ExitCode.BLOCKERS : ExitCode.OK;
        }
        if (plan.changes.length === 0) {
          if (flags.json) process.stdout.write(`${JSON.stringify({ ...jsonOut, applied: false }, null, 2)}\n`);
          else process.stdout.write('Nothing to change: every planned permission is already in place.\n');
          return blockers ? ExitCode.BLOCKERS : ExitCode.OK;
        }
        if (!flags.yes) {
          if (!isInteractive(flags)) {
            throw new InputError(`--apply would write ${plan.changes.length} change(s) and cannot ask for confirmation (no terminal, or --non-interactive); nothing was written`, {
              reason: 'CONFIRMATION_REQUIRED',
              advice: 'Review the plan above, then rerun with --apply --yes.',
            });
          }
          const { confirm } = await import('@inquirer/prompts');
          const ok = await confirm({ message: `Write these ${plan.changes.length} change(s)?`, default: false });
          if (!ok) {
            process.stderr.write('Cancelled; nothing was written.\n');
            return ExitCode.OK;
          }
        }
        const store = journal.JournalStore.open();
        const applied = await applyPermissions(dir, plan, store, {
          options: {
            apply: true,
            yes: !!flags.yes,
            perComputer: !!flags.perComputer,
            ou: flags.ou,
            self: flags.self,
            legacySelf: flags.legacySelf,
            mirror: flags.mirror,
            removeAllExtendedRights: !!flags.removeAllExtendedRights,
            fixOwners: !!flags.fixOwners,
            server: flags.server,
            profile: flags.profile,
            user: flags.user,
          },
          onProgress: (p) => {
            if (!flags.json && (p.state === 'verified' || p.state === 'already-done' || p.state === 'conflict' || p.state === 'failed')) {
              process.stderr.write(`[${p.change.id}] ${p.state}${p.message ? `: ${p.message}` : ''}\n`);
            }
          },
        });
        // verify: the same audit again; what the plan was meant to fix should be gone
        const again = applied.exitCode === ExitCode.OK ? await runPermissions(dir, target, { ...runOptions, now: new Date() }) : undefined;
        const remaining = again?.plan.changes.length;
        const blockersAfter = again ? again.result.findings.some((f) => f.severity === 'blocker') : blockers;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ ...jsonOut, applied: true, result: applied, verify: again ? { findings: again.result.findings, summary: again.result.data.summary, remainingChanges: remaining } : null }, null, 2)}\n`);
        } else {
          const c = applied.counts;
          process.stdout.write(`Applied run ${applied.runId}: ${c.applied} written and verified, ${c.alreadyDone} already in place, ${c.conflicts} conflict(s), ${c.failed} failed, ${c.pending} pending.\n`);
          if (applied.stoppedAt) {
            process.stderr.write(`error: stopped at ${applied.stoppedAt.changeId}: ${applied.stoppedAt.message}\n`);
            process.stderr.write(`hint: laps-migrate journal show ${applied.runId}  (applied, in-doubt and pending changes); undo with: laps-migrate rollback ${applied.runId}\n`);
          } else if (again) {
            const sa = again.result.data.summary;
            process.stdout.write(`Verified: ${remaining === 0 ? 'a new plan has nothing to change' : `${remaining} change(s) still planned`}; ${sa.self.windowsMissingComputers} computer(s) still cannot write Windows LAPS. Undo with: laps-migrate rollback ${applied.runId}\n`);
          }
        }
        if (applied.exitCode !== ExitCode.OK) return applied.exitCode;
        return blockersAfter ? ExitCode.BLOCKERS : ExitCode.OK;
      } finally {
        await dir.close();
      }
    }),
  );
}
