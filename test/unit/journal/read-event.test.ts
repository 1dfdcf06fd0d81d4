import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordReadEvent } from '../../../src/journal/read-event.js';
import { JOURNAL_FORMAT } from '../../../src/journal/journal-records.js';
import { tempJournal, type TempJournal } from './helpers.js';

let tj: TempJournal;
beforeEach(() => {
  tj = tempJournal();
});
afterEach(() => tj.cleanup());

describe('recordReadEvent', () => {
  it('appends who, which object, which source, why and when, one fsync\'d line per reveal', () => {
    const before = Date.now();
    const a = recordReadEvent({ who: 'helpdesk@memory.test', object: 'CN=PC1,OU=A,DC=memory,DC=test', source: 'ms-Mcs-AdmPwd', reason: 'INC-1001' }, tj.store);
    const b = recordReadEvent({ who: 'helpdesk@memory.test', object: 'CN=PC2,OU=A,DC=memory,DC=test', source: 'msLAPS-EncryptedPassword (DPAPI-NG)' }, tj.store);
    expect(a.id).not.toBe(b.id);
    expect(Date.parse(a.at)).toBeGreaterThanOrEqual(before - 1);
    const { events, warnings } = tj.store.readReadEvents();
    expect(warnings).toEqual([]);
    expect(events).toEqual([a, b]);
    expect(events[0]).toMatchObject({ journal: JOURNAL_FORMAT, type: 'read-event', who: 'helpdesk@memory.test', object: 'CN=PC1,OU=A,DC=memory,DC=test', source: 'ms-Mcs-AdmPwd', reason: 'INC-1001', host: expect.any(String) });
    expect(events[1]).not.toHaveProperty('reason');
    expect(readFileSync(tj.store.readsFile, 'utf8').split('\n')).toHaveLength(3);
  });

  it('refuses an event without who, object or source (exit 2) and records nothing', () => {
    expect(() => recordReadEvent({ who: '', object: 'o', source: 's' }, tj.store)).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => recordReadEvent({ who: 'w', object: 'o', source: ' ' }, tj.store)).toThrow(/source/);
    expect(tj.store.readReadEvents().events).toEqual([]);
  });
});
