// Shared pieces of the sweep scripts (bench/mapf.js, volleyball.js, dispatch.js): running one
// trial script in a fresh process and formatting rates.
import { spawn } from 'node:child_process';

/**
 * Runs `node <script> '<json params>'` and resolves with the JSON its last stdout line prints, or
 * `{ params, error }` with the first line of what it said when it failed.
 */
export function runTrial(script, params) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, JSON.stringify(params)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      if (code === 0) {
        try { resolve(JSON.parse(out.trim().split('\n').pop())); return; } catch { /* fall through */ }
      }
      resolve({ params, error: (err || out || `exit code ${code}`).trim().split('\n')[0] });
    });
  });
}

/** A rate with an SI suffix: 1.23M, 45.6k. */
export const si = (v) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(1));

/** Options of the env sweeps: --quick, --write-docs, --repeat-sec S, --help. */
export function parseSweepArgs(argv) {
  const o = { writeDocs: false, repeatSec: undefined, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--write-docs') o.writeDocs = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--repeat-sec') o.repeatSec = Number(argv[++i]);
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown argument '${a}'`);
  }
  return o;
}
