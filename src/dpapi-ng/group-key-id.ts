/**
 * Group key identifiers (L0, L1, L2) and time (MS-GKDI 3.1.4.1: a new L2 key every
 * KeyCycleDuration = 10 hours; 32 L2 keys per L1, 32 L1 keys per L0).
 * Times are FILETIMEs (100 ns units since 1601-01-01 UTC).
 */
import { dateToFiletimeUnchecked, filetimeToUnixMs } from '../dtyp/filetime.js';

export interface GroupKeyId {
  l0: number;
  l1: number;
  l2: number;
}

/** 10 hours in 100 ns units. */
export const KEY_CYCLE_DURATION = 360000000000n;

/** The group key in force at a given time. */
export function groupKeyIdForTime(date: Date): GroupKeyId {
  const intervals = dateToFiletimeUnchecked(date) / KEY_CYCLE_DURATION;
  return { l0: Number(intervals / 1024n), l1: Number((intervals / 32n) % 32n), l2: Number(intervals % 32n) };
}

/** Start of the 10-hour period of a group key (the earliest time a blob with it can have been made);
 * an invalid Date when the indexes lie beyond the JavaScript date range. */
export function groupKeyStartTime(id: GroupKeyId): Date {
  const intervals = BigInt(id.l0) * 1024n + BigInt(id.l1) * 32n + BigInt(id.l2);
  const ft = intervals * KEY_CYCLE_DURATION;
  return new Date(filetimeToUnixMs(ft));
}
