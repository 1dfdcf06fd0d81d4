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

describe('RecordSpool segments', () => {
  it('reads segments in ascending order, each in push order, however the pushes interleave', async () => {
    const spool = new RecordSpool<{ seg: number; i: number }>();
    try {
      // three segments filled concurrently, more records than one chunk and than the memory bound
      for (let i = 0; i < 3000; i++) for (const seg of [20, 3, 7]) spool.push({ seg, i }, seg);
      spool.flushSegment(7);
      expect(spool.count).toBe(9000);
      const got: Array<{ seg: number; i: number }> = [];
      for await (const r of spool.read()) got.push(r);
      expect(got.length).toBe(9000);
      expect(got.map((r) => r.seg)).toEqual([...Array(3000).fill(3), ...Array(3000).fill(7), ...Array(3000).fill(20)]);
      for (const seg of [3, 7, 20]) expect(got.filter((r) => r.seg === seg).map((r) => r.i)).toEqual([...Array(3000).keys()]);
    } finally {
      spool.dispose();
    }
  });
});
