/**
 * `laps-migrate schema`: step 2, schema and prerequisites. Without --apply it only reads (any
 * domain account) and prints the checks, the findings and the plan. With --apply it extends the
 * Windows LAPS schema (and, with --create-kds-root-key, creates a KDS root key) through the
 * journal; every change is irreversible, so it also needs --confirm-irreversible (or a "yes" at
 * the prompt in a terminal). --yes never covers irreversible changes.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ExitCode, InputError } from '../errors.js';
import type { Directory } from '../directory/types.js';
import type { SchemaAnalysis } from '../steps/schema-analysis.js';
import type { SchemaSnapshot } from '../steps/schema-snapshot.js';
import type { SchemaPhase } from '../steps/schema-plan.js';
import type { SchemaApplyOutcome, SchemaResult } from '../steps/schema.js';
import type { TargetInfo } from '../model/step-result.js';
import { action } from './action.js';
import { addConnectionOptions, baseDnOf, isInteractive, openDirectory, type ConnectionFlags } from './connection-options.js';

interface SchemaFlags extends ConnectionFlags {
  apply?: boolean;
  confirmIrreversible?: boolean;
  yes?: boolean;
  createKdsRootKey?: boolean;
  kdsAlgorithm: 'dh' | 'ecdh-p256' | 'ecdh-p384';
  effectiveNow?: boolean;
  encryption: boolean;
  out: string;
  json?: boolean;
  saveSnapshot?: string;
  fromSnapshot?: string;
}

const KDS_ALGORITHMS = { dh: 'DH', 'ecdh-p256': 'ECDH_P256', 'ecdh-p384': 'ECDH_P384' } as const;
const TEN_HOURS_MS = 10 * 3600 * 1000;

const yes = (b: boolean) => (b ? 'yes' : 'no');
const DSRM_TEXT = { possible: 'possible', 'if-patched': 'possible if patched', 'not-possible': 'not possible', unknown: 'unknown' } as const;

/** The few lines an admin reads first. */
export function schemaSummaryLines(a: SchemaAnalysis, s: SchemaSnapshot): string[] {
  const win = a.windowsLaps;
  const winReady = win.attributes.filter((x) => x.status === 'ok' && x.inComputerMayContain).length;
  const legacy = a.legacy.attributes.filter((x) => x.status !== 'missing');
  const dcs = a.domainControllers;
  const lines = [
    `Schema and prerequisites of ${s.facts.dnsDomain} (DC ${s.facts.dcHost}, bound as ${a.boundAs.dn})`,
    `  Legacy LAPS schema    ${a.legacy.status}${legacy.length ? `: ${legacy.map((x) => `${x.name}${x.inComputerMayContain ? '' : ' (not in computer class)'}`).join(', ')}` : ''}${a.legacy.renamed ? ' (renamed; found by attributeID)' : ''}`,
    `  Windows LAPS schema   ${win.status}: ${winReady} of ${win.attributes.length} attributes ready, extended right ${win.extendedRight.status === 'ok' ? 'present' : win.extendedRight.status}`,
  ];
  for (const x of win.attributes.filter((y) => y.status !== 'ok' || !y.inComputerMayContain)) {
    const what = x.status === 'ok' ? 'not in the computer class' : x.status === 'mismatch' ? `differs (${x.differences.filter((d) => d.severity !== 'info').map((d) => d.property).join(', ')})${x.inComputerMayContain ? '' : ', not in the computer class'}` : x.status === 'name-conflict' ? `name taken by ${x.conflict?.dn}` : 'missing';
    lines.push(`                        ${x.expectedName}: ${what}`);
  }
  lines.push(
    `  Schema                version ${a.schemaVersion.objectVersion ?? '?'}${a.schemaVersion.name ? ` (${a.schemaVersion.name})` : ''}; master ${a.schemaMaster.dnsHostName ?? a.schemaMaster.serverDn ?? 'unknown'}${a.schemaMaster.boundDcIsMaster ? ' (this DC)' : ' (not this DC)'}`,
    `  Bound account         Schema Admin: ${yes(a.boundAs.schemaAdmin)}, Domain Admin: ${yes(a.boundAs.domainAdmin)}, Enterprise Admin: ${yes(a.boundAs.enterpriseAdmin)}`,
    `  Functional levels     domain ${a.functionalLevels.domain.name}, forest ${a.functionalLevels.forest.name}${a.functionalLevels.encryptionSupported ? ' (encryption possible)' : ' (encryption needs 2016)'}`,
    `  Domain controllers    ${dcs.length}`,
  );
  for (const dc of dcs) {
    lines.push(`                        ${dc.dnsHostName || dc.name}: ${dc.operatingSystem || 'unknown OS'} ${dc.operatingSystemVersion}${dc.readOnly ? ', read-only' : ''}${dc.schemaMaster ? ', schema master' : ''}; DSRM backup ${DSRM_TEXT[dc.dsrmBackup]} (${dc.dsrmReason})`);
  }
  const k = a.kds;
  const kds =
    k.status === 'usable' ? `usable (${k.rootKeys.filter((x) => x.usableNow).length} of ${k.rootKeys.length})`
      : k.status === 'not-yet-effective' ? `present, usable from ${k.usableFrom}`
        : k.status === 'missing' ? 'none'
          : 'unknown: not readable by this account';
  lines.push(`  KDS root keys         ${kds}`);
  for (const key of k.rootKeys) {
    lines.push(`                        ${key.id}: ${key.kdfAlgorithm ?? '?'}/${key.kdfHash ?? '?'}, ${key.secretAgreement ?? '?'}${key.publicKeyLength ? ` ${key.publicKeyLength}-bit` : ''}, usable from ${key.usableFrom ?? '?'}`);
  }
  return lines;
}

function findingLines(r: SchemaResult): string[] {
  const order = { blocker: 0, warning: 1, info: 2 } as const;
  const sorted = [...r.findings].sort((x, y) => order[x.severity] - order[y.severity]);
  return ['Findings:', ...sorted.flatMap((f) => [`  [${f.severity}] ${f.code}: ${f.message}`, ...(f.severity === 'info' ? [] : [`      what to do: ${f.advice}`])])];
}

function applyLines(o: SchemaApplyOutcome): string[] {
  const lines = ['Apply:'];
  for (const r of o.runs) {
    const c = r.counts;
    lines.push(`  ${r.phase}: journal run ${r.runId}: ${c.applied} applied, ${c.alreadyDone} already done, ${c.conflicts} conflict(s), ${c.failed} failed${r.stoppedAt ? `; stopped at ${r.stoppedAt.changeId}: ${r.stoppedAt.message}` : ''}`);
  }
  for (const u of o.schemaUpdateNow) lines.push(`  schemaUpdateNow after ${u.after}: ${u.ok ? 'done' : `failed (${u.message}); the DC reloads its schema cache by itself within minutes`}`);
  return lines;
}

export function registerSchema(program: Command): void {
  const cmd = program
    .command('schema')
    .description('step 2: both LAPS schemas, functional levels, DCs and KDS root keys (read-only); --apply extends the Windows LAPS schema (irreversible)');
  addConnectionOptions(cmd)
    .option('--apply', 'write the planned changes (default: check and print the plan only)')
    .option('--confirm-irreversible', 'consent to irreversible changes (schema additions, KDS root keys); needed with --apply')
    .option('--yes', 'skip confirmations of reversible changes; never covers irreversible ones (all of this step\'s changes are)')
    .option('--create-kds-root-key', 'also create a KDS root key if the forest has none (for labs; in production prefer Add-KdsRootKey)')
    .addOption(new Option('--kds-algorithm <name>', 'secret agreement of a created root key').choices(Object.keys(KDS_ALGORITHMS)).default('dh'))
    .option('--effective-now', 'make a created root key usable at once instead of in 10 hours (labs)')
    .option('--no-encryption', 'you plan Windows LAPS without encryption: functional level and KDS root key problems become warnings')
    .addOption(new Option('--out <dir>', 'report folder').default('reports'))
    .option('--json', 'print the result (and the plan) as JSON on stdout')
    .option('--save-snapshot <file>', 'write the directory facts this check read (no secrets) to FILE, for offline checks or a support case')
    .option('--from-snapshot <file>', 'check a saved snapshot offline instead of connecting (no --apply)');
  cmd.action(
    action(async (flags: SchemaFlags) => {
      if (flags.fromSnapshot && flags.apply) throw new InputError('--apply needs a live connection; it cannot be combined with --from-snapshot');
      if (flags.fromSnapshot && flags.saveSnapshot) throw new InputError('--save-snapshot and --from-snapshot exclude each other');
      if (flags.effectiveNow && !flags.createKdsRootKey) throw new InputError('--effective-now only applies with --create-kds-root-key');
      const [{ analyzeSchema }, { schemaDrafts }, schemaStep, snapshotCodec, { schemaReportModel }, { writeReport }, journal, { newRootKey }, { writePrivateFile }] = await Promise.all([
        import('../steps/schema-analysis.js'),
        import('../steps/schema-plan.js'),
        import('../steps/schema.js'),
        import('../steps/schema-snapshot.js'),
        import('../steps/schema-report.js'),
        import('../report/index.js'),
        import('../journal/index.js'),
        import('../dpapi-ng/new-root-key.js'),
        import('../config/paths.js'),
      ]);
      const out = (lines: string[]) => {
        if (!flags.json) process.stdout.write(`${lines.join('\n')}\n`);
      };
      const now = new Date();
      let dir: Directory | undefined;
      try {
        let snapshot: SchemaSnapshot;
        let target: TargetInfo;
        if (flags.fromSnapshot) {
          let text: string;
          try {
            text = readFileSync(flags.fromSnapshot, 'utf8');
          } catch (e) {
            throw new InputError(`cannot read snapshot ${flags.fromSnapshot}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
          }
          snapshot = snapshotCodec.snapshotFromJson(text);
          target = { server: snapshot.facts.connection.url, domain: snapshot.facts.dnsDomain, baseDn: snapshot.facts.domainDn, boundAs: snapshot.facts.boundAs.dn };
        } else {
          dir = await openDirectory(flags);
          snapshot = await schemaStep.readSchemaSnapshot(dir, now);
          target = { server: dir.facts.url, domain: snapshot.facts.dnsDomain, baseDn: await baseDnOf(dir, flags), boundAs: snapshot.facts.boundAs.dn };
          if (flags.saveSnapshot) {
            writePrivateFile(flags.saveSnapshot, snapshotCodec.snapshotToJson(snapshot));
            process.stderr.write(`snapshot written to ${flags.saveSnapshot}\n`);
          }
        }
        const checkOptions = { now, encryption: flags.encryption };
        const analysis = analyzeSchema(snapshot, checkOptions);
        const rootKey = flags.createKdsRootKey
          ? newRootKey({ kdfHash: 'SHA512', secretAgreementAlgorithm: KDS_ALGORITHMS[flags.kdsAlgorithm], useStartTime: flags.effectiveNow ? now : new Date(now.getTime() + TEN_HOURS_MS) })
          : undefined;
        const { drafts, notes } = schemaDrafts(snapshot, analysis, rootKey ? { kdsRootKey: rootKey } : {}, now);
        const plan = journal.createPlan('schema', drafts.map((d) => d.draft), { createdAt: now });
        const phaseOf = new Map<string, SchemaPhase>(plan.changes.map((c, i) => [c.id, drafts[i]!.phase]));
        const options = { encryption: flags.encryption, createKdsRootKey: !!flags.createKdsRootKey, kdsAlgorithm: flags.createKdsRootKey ? KDS_ALGORITHMS[flags.kdsAlgorithm] : null, effectiveNow: !!flags.effectiveNow };
        const source = flags.fromSnapshot ? 'snapshot' : 'live';
        const hasBlockers = (r: SchemaResult) => r.findings.some((f) => f.severity === 'blocker');

        const finish = async (r: SchemaResult, extra: string[]): Promise<number> => {
          const written = await writeReport(schemaReportModel(r), { outDir: flags.out });
          if (flags.json) process.stdout.write(`${JSON.stringify({ ...r, report: written.dir }, null, 2)}\n`);
          else out([...extra, `Report: ${written.dir}/report.html`]);
          if (r.data.apply && r.data.apply.exitCode !== ExitCode.OK) return r.data.apply.exitCode;
          return hasBlockers(r) ? ExitCode.BLOCKERS : ExitCode.OK;
        };

        const planText = journal.renderPlan(plan).trimEnd().split('\n');
        const noteLines = notes.length ? ['', 'Notes:', ...notes.map((n) => `  - ${n}`)] : [];

        if (!flags.apply || plan.changes.length === 0) {
          const r = schemaStep.schemaResult({ snapshot, analysis, plan, phaseOf, notes, target, source, options, generatedAt: now });
          out([...schemaSummaryLines(analysis, snapshot), '', ...findingLines(r), '', ...planText, ...noteLines, '']);
          const tail = plan.changes.length === 0
            ? [flags.apply ? 'Nothing to change: everything this step can do is already in place.' : 'Nothing to change.']
            : [`Nothing was written. To apply: laps-migrate schema --apply --confirm-irreversible${flags.createKdsRootKey ? ' --create-kds-root-key' : ''}${flags.effectiveNow ? ' --effective-now' : ''} (as a Schema Admin, against the schema master)`];
          return await finish(r, tail);
        }

        // --apply: rights first (nothing is written when they are missing), then consent
        const phases = new Set(phaseOf.values());
        schemaStep.checkApplyPreconditions(snapshot, analysis, phases);
        const irreversible = plan.changes.filter((c) => c.irreversible).length;
        out([...schemaSummaryLines(analysis, snapshot), '', ...planText, ...noteLines, '']);
        if (irreversible > 0 && !flags.confirmIrreversible) {
          if (!isInteractive(flags)) {
            throw new InputError(`the plan has ${irreversible} irreversible change${irreversible === 1 ? '' : 's'}; nothing was written`, {
              reason: 'IRREVERSIBLE_NOT_CONFIRMED',
              advice: 'Review the plan above, then rerun with --apply --confirm-irreversible (--yes never covers irreversible changes).',
            });
          }
          const { confirm } = await import('@inquirer/prompts');
          const ok = await confirm({ message: `Apply ${irreversible} irreversible change${irreversible === 1 ? '' : 's'}? Schema additions and KDS root keys can never be removed.`, default: false });
          if (!ok) {
            process.stderr.write('Cancelled; nothing was written.\n');
            return ExitCode.OK;
          }
        }
        const store = journal.JournalStore.open();
        const outcome = await schemaStep.applySchemaPlan(dir!, plan, phaseOf, store, {
          confirmIrreversible: true,
          options: {
            apply: true,
            confirmIrreversible: true,
            createKdsRootKey: !!flags.createKdsRootKey,
            kdsAlgorithm: options.kdsAlgorithm,
            effectiveNow: !!flags.effectiveNow,
            server: flags.server,
            profile: flags.profile,
            user: flags.user,
          },
          onProgress: (p) => {
            if (p.state !== 'reading' && p.state !== 'writing' && p.state !== 'applied') {
              process.stderr.write(`[${p.change.id}] ${p.phase}: ${p.state}${p.message ? `: ${p.message}` : ''}\n`);
            }
          },
        });
        // verify: the same checks, read again
        const after = await schemaStep.readSchemaSnapshot(dir!, new Date());
        const analysisAfter = analyzeSchema(after, { ...checkOptions, now: new Date() });
        const r = schemaStep.schemaResult({ snapshot: after, analysis: analysisAfter, plan, phaseOf, notes, target, source, options, apply: outcome });
        const tail = [...applyLines(outcome), '', 'After the apply:', ...schemaSummaryLines(analysisAfter, after), '', ...findingLines(r), ''];
        if (outcome.exitCode !== ExitCode.OK) {
          const last = outcome.runs.at(-1);
          tail.push(`The apply stopped; the journal names the applied and the pending changes: laps-migrate journal show ${last?.runId ?? 'last'}`);
        }
        return await finish(r, tail);
      } finally {
        await dir?.close();
      }
    }),
  );
}
