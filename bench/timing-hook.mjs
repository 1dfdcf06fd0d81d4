// Preloaded into a CLI run by the benchmarks (node --import bench/timing-hook.mjs): records the
// performance marks the tool sets at phase boundaries ("laps-migrate:*") with their time since
// process start and this process's CPU time (user + sys) at that moment, and writes them at exit
// to the file named by LAPS_MIGRATE_BENCH_MARKS. CPU per phase stays meaningful on a loaded machine.
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
    if (typeof name === 'string' && name.startsWith('laps-migrate:')) marks.push({ name: name.slice('laps-migrate:'.length), at: performance.now(), cpu: cpuMs() });
    return mark(name, options);
  };
  process.on('exit', () => {
    // node's own start-up (ms since the process started), then the marks
    writeFileSync(file, JSON.stringify({ bootstrap: performance.nodeTiming.bootstrapComplete, marks, exit: performance.now(), exitCpu: cpuMs() }));
  });
}
