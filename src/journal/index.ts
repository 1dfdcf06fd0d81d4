/** The safe-change mechanism: every write the tool makes goes through a journaled Plan. */
export { addEntry, addValues, changeTarget, createPlan, deleteEntry, deleteValues, replaceDacl, replaceValues, SD_FLAGS_DACL } from './change.js';
export type { AddEntryChange, Change, ChangeDraft, ChangeKind, DeleteEntryChange, ModifyAttributeChange, Plan, ReplaceDaclChange } from './change.js';
export type { Value, ValueMatch } from './attribute-values.js';
export { isSecretAttribute } from './secret-attributes.js';
export { applyPlan } from './apply-plan.js';
export type { ApplyOptions, ApplyProgress, ApplyResult, ChangeOutcome } from './apply-plan.js';
export { JournalStore, RunWriter, sanitizeOptions } from './journal-store.js';
export type { RunMeta, RunSummary } from './journal-store.js';
export { JOURNAL_FORMAT } from './journal-records.js';
export type { ApplyCounts, ChangeState, JournalChange, ReadEventRecord } from './journal-records.js';
export { recordReadEvent } from './read-event.js';
export type { ReadEvent } from './read-event.js';
export { planRollback } from './plan-rollback.js';
export type { RollbackPlan, SkippedChange } from './plan-rollback.js';
export { planToJson, renderPlan } from './render-plan.js';
export type { RenderPlanOptions } from './render-plan.js';
export type { RunChange, RunRecord } from './run-record.js';
