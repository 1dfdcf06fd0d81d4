// Preloaded into a CLI run by the benchmarks (node --import bench/timing-hook.mjs): when the process
// exits, writes the performance marks the tool sets at phase boundaries ("laps-migrate:*") with
// their times since process start (ms) to the file named by LAPS_MIGRATE_BENCH_MARKS.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.LAPS_MIGRATE_BENCH_MARKS;
if (file) {
  process.on('exit', () => {
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('laps-migrate:'));
    const out = {
      // node's own start-up, in ms since the process started
      bootstrap: performance.nodeTiming.bootstrapComplete,
      marks: marks.map((m) => ({ name: m.name.slice('laps-migrate:'.length), at: m.startTime })),
      exit: performance.now(),
    };
    writeFileSync(file, JSON.stringify(out));
  });
}
