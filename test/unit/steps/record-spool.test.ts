import { describe, expect, it } from 'vitest';
import { RecordSpool } from '../../../src/steps/record-spool.js';

describe('RecordSpool', () => {
  it('reads back every record, as often as asked, also after an early stop', async () => {
    const spool = new RecordSpool<{ i: number; name: string }>();
    try {
      for (let i = 0; i < 2500; i++) spool.push({ i, name: `PC-${i}` });
      expect(spool.count).toBe(2500);
      for (const g of [spool.read(), spool.read()]) {
        let n = 0;
        for await (const r of g) {
          expect(r.i).toBe(n);
          n++;
        }
        expect(n).toBe(2500);
      }
      let seen = 0;
      for await (const _r of spool.read()) if (++seen === 10) break;
      let again = 0;
      for await (const _r of spool.read()) again++;
      expect(again).toBe(2500);
    } finally {
      spool.dispose();
    }
  });
});
