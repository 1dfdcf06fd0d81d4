/**
 * A plan for humans: one block per change with its target, reason, a readable diff and an
 * IRREVERSIBLE mark. ACL changes show the ACEs added and removed when a descriptor describer
 * (SDDL) is injected; secret values show as presence and length only.
 */
import { createHash } from 'node:crypto';
import type { Change, Plan } from './change.js';
import { describeJournalValues, journalValues, valuesMinus, type Value } from './attribute-values.js';
import { diffSddlDacl } from './sddl-ace-diff.js';
import { toJournalChange, type JournalChange } from './journal-records.js';
import { describeFileBytes } from './file-change.js';

export interface RenderPlanOptions {
  /** Security descriptor bytes to SDDL (src/security toSddl(parseSecurityDescriptor(buf))). */
  describeDescriptor?: (buf: Buffer) => string;
  /** Longest list of values shown per side before "... and N more" (default 20). */
  maxValues?: number;
}

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex').slice(0, 12);
}

function limited(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `... and ${lines.length - max} more`];
}

function valueLines(values: Value[], secret: boolean, max: number): string[] {
  return limited(describeJournalValues(journalValues(values, secret)), max);
}

function describeSafely(describe: (buf: Buffer) => string, buf: Buffer): string | undefined {
  try {
    return describe(buf);
  } catch {
    return undefined;
  }
}

/** The diff lines of one change (without its header). */
export function renderChangeBody(c: Change, options: RenderPlanOptions = {}): string[] {
  const max = options.maxValues ?? 20;
  const out: string[] = [];
  switch (c.kind) {
    case 'add-entry':
    case 'delete-entry': {
      const values = c.kind === 'add-entry' ? c.after : c.before;
      const sign = c.kind === 'add-entry' ? '+' : '-';
      const secrets = new Set(c.secretAttributes.map((s) => s.toLowerCase()));
      for (const [name, list] of Object.entries(values)) {
        for (const line of valueLines(list, secrets.has(name.toLowerCase()), max)) out.push(`${sign} ${name}: ${line}`);
      }
      break;
    }
    case 'modify-attribute': {
      if (c.secret) {
        out.push(`- ${c.attribute}: ${describeJournalValues(journalValues(c.before, true)).join(', ')}`);
        out.push(`+ ${c.attribute}: ${describeJournalValues(journalValues(c.after, true)).join(', ')}`);
        break;
      }
      const removed = valuesMinus(c.before, c.after, c.match);
      const added = valuesMinus(c.after, c.before, c.match);
      const kept = c.before.length - removed.length;
      for (const line of valueLines(removed, false, max)) out.push(`- ${c.attribute}: ${line}`);
      for (const line of valueLines(added, false, max)) out.push(`+ ${c.attribute}: ${line}`);
      if (kept > 0) out.push(`  (${kept} other value${kept === 1 ? '' : 's'} unchanged)`);
      if (c.after.length === 0) out.push(`  (${c.attribute} will be absent)`);
      break;
    }
    case 'replace-dacl': {
      const before = options.describeDescriptor ? describeSafely(options.describeDescriptor, c.before) : undefined;
      const after = options.describeDescriptor ? describeSafely(options.describeDescriptor, c.after) : undefined;
      const diff = before !== undefined && after !== undefined ? diffSddlDacl(before, after) : undefined;
      if (diff) {
        if (diff.flagsBefore !== diff.flagsAfter) out.push(`  DACL flags: "${diff.flagsBefore}" -> "${diff.flagsAfter}"`);
        for (const ace of limited(diff.removed, max)) out.push(`- ${ace}`);
        for (const ace of limited(diff.added, max)) out.push(`+ ${ace}`);
        if (diff.reordered) out.push('  ACE order changes (same ACEs)');
        if (!diff.added.length && !diff.removed.length && !diff.reordered && diff.flagsBefore === diff.flagsAfter) out.push('  (no ACE change visible in SDDL; the bytes differ)');
      } else if (before !== undefined && after !== undefined) {
        out.push(`- ${before}`, `+ ${after}`);
      } else {
        out.push(`  descriptor ${c.before.length} bytes (sha256 ${sha(c.before)}) -> ${c.after.length} bytes (sha256 ${sha(c.after)})`);
        if (options.describeDescriptor) out.push('  (the descriptor could not be decoded)');
      }
      break;
    }
    case 'replace-file':
      out.push(`- ${c.label}: ${describeFileBytes(c.before)}`, `+ ${c.label}: ${describeFileBytes(c.after)}`);
      out.push(`  file: ${c.path}`);
      if (c.guards.length) out.push(`  (first checks that ${c.guards.length} other part${c.guards.length === 1 ? '' : 's'} of the GPO are as planned)`);
      break;
  }
  return out;
}

function headline(c: Change): string {
  switch (c.kind) {
    case 'add-entry':
      return `add entry ${c.dn}`;
    case 'delete-entry':
      return `delete entry ${c.dn}`;
    case 'modify-attribute':
      return `${c.operation === 'add' ? 'add values to' : c.operation === 'delete' ? 'delete values of' : 'replace'} ${c.attribute} on ${c.dn}`;
    case 'replace-dacl':
      return `replace DACL of ${c.dn}`;
    case 'replace-file':
      return `${c.before === null ? 'create' : c.after === null ? 'delete' : 'replace'} file ${c.label} of ${c.dn}`;
  }
}

export function renderPlan(plan: Plan, options: RenderPlanOptions = {}): string {
  const n = plan.changes.length;
  const irreversible = plan.changes.filter((c) => c.irreversible).length;
  const lines: string[] = [];
  const what = plan.rollbackOf ? `Rollback of run ${plan.rollbackOf}` : `Plan for step "${plan.step}"`;
  lines.push(`${what}: ${n} change${n === 1 ? '' : 's'}${irreversible ? `, ${irreversible} IRREVERSIBLE` : ''}`);
  if (n === 0) lines.push('  nothing to change');
  for (const c of plan.changes) {
    lines.push('');
    lines.push(`[${c.id}] ${headline(c)}${c.irreversible ? '   IRREVERSIBLE' : ''}`);
    lines.push(`    why: ${c.reason}`);
    for (const l of renderChangeBody(c, options)) lines.push(`    ${l}`);
  }
  if (irreversible) {
    lines.push('');
    lines.push(`${irreversible} change${irreversible === 1 ? ' cannot' : 's cannot'} be undone by rollback: applying needs --confirm-irreversible (--yes does not cover it).`);
  }
  return `${lines.join('\n')}\n`;
}

/** The plan as JSON (for --json): the journaled form, so secrets are already reduced to lengths. */
export function planToJson(plan: Plan): { step: string; createdAt: string; rollbackOf?: string; changes: JournalChange[] } {
  return { step: plan.step, createdAt: plan.createdAt, ...(plan.rollbackOf ? { rollbackOf: plan.rollbackOf } : {}), changes: plan.changes.map(toJournalChange) };
}
