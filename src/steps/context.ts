/**
 * Builds the StepContext a run hands to its steps: the directory (and a way to fork a second
 * connection), the target, the clock, the journal opened on first use, progress, and private
 * spools that are removed on every exit path (dispose()).
 */
import type { Directory } from '../directory/types.js';
import type { DomainFacts } from '../directory/domain-facts.js';
import { JournalStore } from '../journal/index.js';
import { RecordSpool } from './record-spool.js';
import type { ProgressEvent, StepContext } from './step.js';
import type { TargetInfo } from '../model/step-result.js';

export interface ContextInput {
  dir?: Directory;
  target: TargetInfo;
  facts?: DomainFacts;
  now?: () => Date;
  progress?: (e: ProgressEvent) => void;
  sysvol?: string;
  /** The journal to use (tests); default: the state folder's journal, opened on first use. */
  journal?: JournalStore;
}

export interface DisposableContext extends StepContext {
  /** Removes the spools and closes forked connections; safe to call more than once. */
  dispose(): Promise<void>;
}

export function createStepContext(input: ContextInput): DisposableContext {
  const spools: Array<RecordSpool<unknown>> = [];
  const forks: Directory[] = [];
  let journal = input.journal;
  const dir = input.dir;
  const ctx: DisposableContext = {
    ...(dir ? { dir } : {}),
    ...(dir?.fork
      ? {
          fork: async () => {
            const d = await dir.fork!();
            forks.push(d);
            return d;
          },
        }
      : {}),
    target: input.target,
    ...(input.sysvol ? { sysvol: input.sysvol } : {}),
    ...(input.facts ? { facts: input.facts } : {}),
    now: input.now ?? (() => new Date()),
    journal: () => (journal ??= JournalStore.open()),
    progress: input.progress ?? (() => undefined),
    spool: <T>(prefix: string) => {
      const s = new RecordSpool<T>(prefix);
      spools.push(s as RecordSpool<unknown>);
      return s;
    },
    dispose: async () => {
      for (const s of spools.splice(0)) s.dispose();
      await Promise.all(forks.splice(0).map((d) => d.close().catch(() => undefined)));
    },
  };
  return ctx;
}
