// One `lab simulate` cycle over N devices (default 1,000) that all rotate to encrypted Windows LAPS
// with history 12 (the `large` scenario), then a forced cycle in which every device also reads its
// current blob and pushes it into msLAPS-EncryptedPasswordHistory. Target: under 30 s per cycle.
// Usage: npm run build && node bench/lab-simulate-bench.mjs [--computers 1000] [--ip 127.0.0.13] [--connections 8]
import { rmSync } from 'node:fs';
import { CLI, arg, timed } from './lib.mjs';

const n = Number(arg('computers', '1000'));
const ip = arg('ip', '127.0.0.13');
const connections = arg('connections', '8');
const dir = `/tmp/laps-migrate-bench-sim-${n}`;
const env = { XDG_CONFIG_HOME: `${dir}/config`, XDG_STATE_HOME: `${dir}/state`, LAPS_MIGRATE_SIM_CONNECTIONS: connections };
rmSync(dir, { recursive: true, force: true });
const up = await timed(process.execPath, [CLI, 'lab', 'up', '--dir', `${dir}/lab`, '--ip', ip, '--scenario', 'large', '--computers', String(n), '--recreate', '--no-profile'], env);
console.log(`large lab with ${n} devices up in ${up.secs.toFixed(1)} s`);
const first = await timed(process.execPath, [CLI, 'lab', 'simulate', '--dir', `${dir}/lab`], env);
console.log(`cycle 1 (Windows LAPS policy first applies: ${n} devices rotate to encrypted): ${first.secs.toFixed(1)} s, peak RSS ${first.rssKiB ? `${(first.rssKiB / 1024).toFixed(0)} MiB` : '?'}`);
const second = await timed(process.execPath, [CLI, 'lab', 'simulate', '--dir', `${dir}/lab`, '--force-rotate'], env);
console.log(`cycle 2 (forced: read own blob, push history, rotate): ${second.secs.toFixed(1)} s, peak RSS ${second.rssKiB ? `${(second.rssKiB / 1024).toFixed(0)} MiB` : '?'}`);
console.log(`target < 30 s per cycle: ${Math.max(first.secs, second.secs) < 30 ? 'met' : 'NOT met'}`);
await timed(process.execPath, [CLI, 'lab', 'down', '--dir', `${dir}/lab`], env);
