// Preloaded into a CLI run by the benchmarks (node --import bench/timing-hook.mjs): records the
// performance marks the tool sets at phase boundaries ("laps-migrate:*") with their time since
// process start, this process's CPU time (user + sys) and its memory (RSS, V8 heap used, external
// buffers) at that moment, and writes them at exit to the file named by LAPS_MIGRATE_BENCH_MARKS.
// CPU per phase stays meaningful on a loaded machine.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const file = process.env.LAPS_MIGRATE_BENCH_MARKS;
if (file) {
  const marks = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (typeof name === 'string' && name.startsWith('laps-migrate:')) {
      const m = process.memoryUsage();
      marks.push({ name: name.slice('laps-migrate:'.length), at: performance.now(), cpu: cpuMs(), rssMb: Math.round(m.rss / 1048576), heapMb: Math.round(m.heapUsed / 1048576), heapTotalMb: Math.round(m.heapTotal / 1048576), externalMb: Math.round(m.external / 1048576) });
    }
    return mark(name, options);
  };
  process.on('exit', () => {
    // node's own start-up (ms since the process started), then the marks
    writeFileSync(file, JSON.stringify({ bootstrap: performance.nodeTiming.bootstrapComplete, marks, exit: performance.now(), exitCpu: cpuMs() }));
  });
}
