/**
 * Who owns the current state of a target a run (possibly) wrote: the run itself, or a later run.
 * Rollback may only undo what its own run wrote (issue 21). Decided from the journal alone, so a
 * plan-only rollback (which connects to nothing) already says it; the engine's re-read at apply
 * time then decides the rest (an in-doubt write that did not land is "already as before").
 *
 * For each change of the run that may have written, the later runs' changes on the same target
 * (same DN and attribute, or DACL, or entry) are replayed in time order:
 *   - a rollback of this very run: our own undo, ignored (its re-read handles it);
 *   - a rollback of a later writer that undid the target: that writer no longer owns it;
 *   - any other run that announced a write: it is a later writer.
 * With a later writer left:
 *   - our write was in doubt and the later writer saw the target without our after-state (its
 *     before-image): our write never landed, the state is the later run's: skip (nothing of ours);
 *   - otherwise our write landed and a later run changed the target on top of it: undoing ours
 *     would discard the later change: blocked (stop, exit 5, roll back the later run first).
 */
import { sameValueSet, valuesFromJournal } from './attribute-values.js';
import { descriptorsEquivalent } from './descriptor-equality.js';
import type { JournalChange, JournalImage } from './journal-records.js';
import type { RunChange, RunRecord } from './run-record.js';

export interface LaterOwner {
  runId: string;
  changeId: string;
  /** The later run's change did not end verified/applied (it is itself in doubt or failed). */
  inDoubt: boolean;
}

export type Ownership =
  | { owner: 'this-run' }
  | { owner: 'later-run'; later: LaterOwner; ourWriteLanded: false }
  | { owner: 'blocked'; later: LaterOwner };

/** The thing a change touches: entries cover every attribute and the DACL of their DN. */
function targetKey(c: JournalChange): { dn: string; part: string } {
  const dn = c.dn.toLowerCase();
  if (c.kind === 'modify-attribute') return { dn, part: `attr:${c.attribute.toLowerCase()}` };
  if (c.kind === 'replace-dacl') return { dn, part: 'dacl' };
  return { dn, part: 'entry' };
}

function sameTarget(a: JournalChange, b: JournalChange): boolean {
  const x = targetKey(a);
  const y = targetKey(b);
  return x.dn === y.dn && (x.part === y.part || x.part === 'entry' || y.part === 'entry');
}

/** Does a journaled image show the change's after-state? undefined: cannot tell (secret values). */
export function imageShowsAfter(c: JournalChange, img: JournalImage | undefined): boolean | undefined {
  if (!img) return undefined;
  switch (c.kind) {
    case 'replace-dacl':
      return 'descriptor' in img ? descriptorsEquivalent(Buffer.from(img.descriptor, 'base64'), Buffer.from(c.after, 'base64')) : false;
    case 'modify-attribute': {
      if (!('values' in img)) return 'absent' in img ? false : undefined;
      const have = valuesFromJournal(img.values);
      const after = valuesFromJournal(c.after);
      if (!have || !after) return undefined;
      return sameValueSet(have, after, c.match);
    }
    case 'add-entry':
      return 'absent' in img ? false : 'entry' in img ? true : undefined;
    case 'delete-entry':
      return 'absent' in img;
  }
}

function landed(rc: RunChange): boolean {
  return rc.state === 'applied' || rc.state === 'verified' || (rc.state === 'failed' && rc.history[rc.history.length - 1]?.phase === 'verify');
}

/** Later writers of a target, in time order, with rollbacks of them taken off. */
function laterWriters(run: RunRecord, rc: RunChange, later: RunRecord[]): Array<{ run: RunRecord; change: RunChange }> {
  const owners: Array<{ run: RunRecord; change: RunChange }> = [];
  const ordered = later.filter((r) => r.runId !== run.runId && r.startedAt >= run.startedAt).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const r of ordered) {
    if (r.rollbackOf === run.runId) continue;
    for (const other of r.changes) {
      if (!other.writeAttempted || !sameTarget(rc.change, other.change)) continue;
      const undone = r.rollbackOf ? owners.findIndex((o) => o.run.runId === r.rollbackOf) : -1;
      if (undone >= 0) {
        if (landed(other)) owners.splice(undone, 1);
        continue;
      }
      owners.push({ run: r, change: other });
    }
  }
  return owners;
}

/** Whose is the current state of what `rc` (a change of `run` that may have written) touched? */
export function ownershipOf(run: RunRecord, rc: RunChange, later: RunRecord[]): Ownership {
  const owners = laterWriters(run, rc, later);
  const first = owners[0];
  if (!first) return { owner: 'this-run' };
  const last = owners[owners.length - 1]!;
  const owner: LaterOwner = { runId: last.run.runId, changeId: last.change.change.id, inDoubt: !landed(last.change) };
  const ourWriteInDoubt = !landed(rc);
  // the first later writer read the target just before writing: did it see our after-state?
  if (ourWriteInDoubt && imageShowsAfter(rc.change, first.change.beforeImage) === false) {
    return { owner: 'later-run', later: owner, ourWriteLanded: false };
  }
  return { owner: 'blocked', later: owner };
}
