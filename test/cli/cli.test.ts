/**
 * The command line, run as a user runs it (`node bin/manyworlds.js ...` over the built dist/):
 * exit codes, the rollout's episode accounting, and the files render writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends, maps } from '../../src/index.js';

const root = resolve(__dirname, '..', '..');
const bin = join(root, 'bin', 'manyworlds.js');
const native = availableBackends().some((b) => b.name === 'native' && b.available);

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('manyworlds CLI', () => {
  it('list names every backend with its availability and reason', () => {
    const r = cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('MAPF-v0');
    for (const b of availableBackends()) expect(r.stdout).toMatch(new RegExp(`${b.name}\\s+${b.available ? 'yes' : 'no'}`));
  });

  it('--backend and --gpujs-mode choose where every command steps; bad values are usage errors', () => {
    for (const id of ['MAPF-v0', 'Volleyball-SoloBump-v0', 'RideDispatch-v0']) {
      const r = cli('rollout', id, '--backend', 'gpujs', '--gpujs-mode=cpu', '--envs', '2', '--steps', '4');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, id).toMatch(/backend gpujs/);
      expect(r.stderr, id).not.toContain('not native');  // gpujs was asked for: nothing was passed over
    }
    const bad = cli('list', '--backend', 'opengl');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--backend must be one of auto, native, cuda, gpujs, got 'opengl'/);
    expect(cli('list', '--gpujs-mode').stderr).toMatch(/--gpujs-mode must be one of .* got nothing/);
  });

  it('a package whose install script never ran says how to build the addon, and rollout says why it runs on gpujs', () => {
    // The package as `npm install --ignore-scripts` (or an npm that skips unapproved scripts)
    // leaves it: dist/ and bin/ but no build/.
    const pkg = mkdtempSync(join(tmpdir(), 'mw-noaddon-'));
    cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(root, 'dist', 'src'), join(pkg, 'dist', 'src'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['MANYWORLDS_BACKEND', 'MANYWORLDS_ADDON_DIR', 'MANYWORLDS_CUDA_ADDON_DIR', 'MANYWORLDS_DISABLE_NATIVE', 'MANYWORLDS_DISABLE_CUDA']) delete env[k];
    const run = (...args: string[]) => spawnSync(process.execPath, [join(pkg, 'bin', 'manyworlds.js'), ...args], { cwd: pkg, encoding: 'utf8', env, timeout: 60_000 });

    const list = run('list');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/native\s+no\s+manyworlds_cpu\.node is unavailable: it was not built: its install script did not run/);
    expect(list.stdout).toContain('`npm approve-scripts manyworlds` (npm 11.16+), then `npm rebuild manyworlds`');
    expect(list.stdout).toMatch(/cuda\s+no\s+not built: .*`npm rebuild manyworlds` in your project/);

    const rollout = run('rollout', 'MAPF-v0', '--envs', '2', '--steps', '3');
    expect(rollout.status, rollout.stderr).toBe(0);
    expect(rollout.stdout).toMatch(/backend gpujs/);
    expect(rollout.stderr).toMatch(/^manyworlds: running on gpujs, not native: manyworlds_cpu\.node is unavailable: it was not built: .*Needs cmake and a C\+\+17 compiler \(`npx manyworlds list` shows every backend\)$/m);
    expect(rollout.stderr).not.toContain('Tried:');
    // --json keeps stderr free of it (and of the progress bar); the backend is in the JSON.
    const json = run('rollout', 'MAPF-v0', '--envs', '2', '--steps', '3', '--json');
    expect(json.stderr).not.toContain('not native');
    expect(JSON.parse(json.stdout).backend).toBe('gpujs');

    // Where install.mjs ran and could not build, its recorded reason is what the user sees.
    mkdirSync(join(pkg, 'build'));
    writeFileSync(join(pkg, 'build', 'native-status.json'), JSON.stringify({ built: false, reason: 'cmake was not found (install cmake >= 3.20)' }));
    expect(run('list').stdout).toMatch(/native\s+no\s+manyworlds_cpu\.node is unavailable: npm install could not build it: cmake was not found \(install cmake >= 3\.20\)\. Tried: /);

    // An addon file that exists but does not load (another Node's build, a truncated file): the
    // load error is the reason, in list and in the rollout's note, not "not built".
    mkdirSync(join(pkg, 'build', 'Release'));
    writeFileSync(join(pkg, 'build', 'Release', 'manyworlds_cpu.node'), 'not a shared object\n'.repeat(256));
    const broken = run('list').stdout;
    expect(broken).toMatch(/native\s+no\s+manyworlds_cpu\.node is unavailable: \S+manyworlds_cpu\.node failed to load: (invalid ELF header|file too short)/);
    expect(broken.split('\n').find((l) => /^\s+native\s/.test(l))).not.toMatch(/not built|did not run/);
    const brokenRollout = run('rollout', 'MAPF-v0', '--envs', '2', '--steps', '1');
    expect(brokenRollout.stderr).toMatch(/running on gpujs, not native: .*failed to load: (invalid ELF header|file too short)/);
    rmSync(pkg, { recursive: true, force: true });  // on success only: a failure leaves it to look at
  });

  it('--version prints the package version; help mentions it', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V', 'version']) {
      const r = cli(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`manyworlds ${version} (Node ${process.versions.node})\n`);
    }
    expect(cli('--help').stdout).toContain("'manyworlds --version'");
  });

  it('usage errors exit with code 2 and name the problem', () => {
    const r = cli('rollout', '--bogus', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bogus');
    expect(cli('rollout', '--envs', 'x').code).toBe(2);
  });

  it('mistakes the library finds (env id, config, map, output file) are usage errors too: code 2, one line naming them', () => {
    const unknown = cli('rollout', 'Nope-v9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ERR_MW_UNKNOWN_ENV');
    expect(cli('rollout', '--map', 'mapf-default-16', '--agents', '100000', '--envs', '1', '--steps', '1').stderr).toContain('ERR_MW_INVALID_CONFIG');
    const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
    for (const [args, text] of [
      [['render', '--steps', '1', '--out', dir], 'is a directory'],
      [['render', '--steps', '1', '--out', join(dir, 'no', 'x.svg')], 'no directory'],
      [['rollout', '--map', dir], 'is a directory, not a MovingAI .map file'],
      [['rollout', '--map', join(dir, 'none.map')], 'not found'],
    ] as const) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(text);
    }
  });

  it('an option never takes the next flag as its value; --help wins; help COMMAND shows its help', () => {
    expect(cli('render', '--steps', '2', '--out', '--ascii').stderr).toContain('--out needs a value');
    expect(cli('rollout', '--map', '--json').stderr).toContain('--map needs a value');
    expect(cli('rollout', '--envs', '99999999999999999999').stderr).toContain('--envs is out of range');
    const help = cli('rollout', '--help', '--envs', 'abc');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: manyworlds rollout/);
    expect(cli('help', 'render').stdout).toMatch(/^usage: manyworlds render/);
    const none = cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^usage: manyworlds <command>/);
  });

  it.skipIf(availableBackends().some((b) => b.name === 'cuda' && b.available))('runtime errors exit with code 1 and print the error code', () => {
    const r = cli('rollout', '--backend', 'cuda', '--envs', '1', '--steps', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_MW_BACKEND_UNAVAILABLE');
  });

  describe.skipIf(!native)('with the native backend', () => {
    it('rollout --json: in finish mode every env ends an episode at least every maxEpisodeSteps (64) steps', () => {
      const out = execFileSync(process.execPath, [bin, 'rollout', 'MAPF-v0', '--envs', '8', '--steps', '130', '--agents', '4', '--json'], { cwd: root, encoding: 'utf8' });
      const s = JSON.parse(out) as { numEnvs: number; steps: number; episodes: number; meanLength: number; metrics: Record<string, number> };
      expect(s.numEnvs).toBe(8);
      expect(s.steps).toBe(130);
      // 130 steps and episodes of at most 64 steps: at least 2 finished episodes per env.
      expect(s.episodes).toBeGreaterThanOrEqual(16);
      expect(s.meanLength).toBeGreaterThan(0);
      expect(s.meanLength).toBeLessThanOrEqual(64);
      expect(s.metrics.ISR).toBeGreaterThanOrEqual(0);
      expect(s.metrics.ISR).toBeLessThanOrEqual(1);
    });

    it('render --out writes an SVG with one frame per step plus the reset state', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mw-render-'));
      const file = join(dir, 'run.svg');
      const r = cli('render', 'MAPF-v0', '--steps', '5', '--agents', '3', '--out', file);
      expect(r.code).toBe(0);
      const svg = readFileSync(file, 'utf8');
      expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
      expect((svg.match(/<circle/g) ?? []).length).toBe(3);
      // Each animated attribute lists one value per frame: 6 frames unless the episode ended earlier.
      const values = /values="([^"]*)"/.exec(svg);
      if (values) expect(values[1].split(';').length).toBeLessThanOrEqual(6);
    });

    it("--map random:H[xW][:D]: render draws the chosen env's own generated map; rollout runs the benchmark map", () => {
      // Env 2 of a batch seeded 5 steps on the map generated from seed 7.
      const r = cli('render', 'MAPF-v0', '--map', 'random:9x11:0.25', '--agents', '3', '--env-index', '2', '--seed', '5', '--steps', '1', '--ascii');
      expect(r.code, r.stderr).toBe(0);
      const rows = r.stdout.split('\n').slice(1, 10);  // after 'step 0 (reset)'
      const cells = maps.randomMap(9, 11, 0.25, 7, 0);
      for (let y = 0; y < 9; y++) {
        expect(rows[y]).toHaveLength(11);
        for (let x = 0; x < 11; x++) expect(rows[y][x] === '#', `row ${y} col ${x}`).toBe(cells[y * 11 + x] === 1);
      }
      const s = JSON.parse(cli('rollout', '--map', 'random:64', '--agents', '64', '--envs', '4', '--steps', '3', '--json').stdout) as { map: string; steps: number };
      expect(s.map).toBe('random 64x64 density 0.3');
      expect(s.steps).toBe(3);
      const bad = cli('rollout', '--map', 'random:6x:2');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--map: 'random:6x:2' is not random:H[xW][:D]");
      expect(cli('rollout', '--map', 'random:4:1.5', '--steps', '1').stderr).toContain('density must be a number in [0, 1], got 1.5');
    });

    it('render --ascii prints the reset frame and the steps', () => {
      const r = cli('render', 'MAPF-v0', '--steps', '2', '--agents', '2', '--ascii');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('step 0');
      expect(r.stdout).toContain('#');
    });
  });

  describe.skipIf(!native)('volleyball', () => {
    it('rollout --json: scripted Solo Bump reports throughput, episodes and every task metric', () => {
      const out = execFileSync(process.execPath, [bin, 'rollout', 'Volleyball-SoloBump-v0', '--envs', '4', '--steps', '120', '--max-episode-steps', '60', '--json'], { cwd: root, encoding: 'utf8' });
      const s = JSON.parse(out) as { policy: string; numAgents: number; episodes: number; meanLength: number; envStepsPerSec: number; droneStepsPerSec: number; metrics: Record<string, number | null> };
      expect(s.policy).toBe('scripted');
      expect(s.numAgents).toBe(1);
      expect(s.episodes).toBe(8); // 120 steps, episodes cut at 60, the drone never falls
      expect(s.meanLength).toBe(60);
      expect(s.envStepsPerSec).toBeGreaterThan(0);
      expect(s.droneStepsPerSec).toBeCloseTo(s.envStepsPerSec, 6);
      expect(Object.keys(s.metrics)).toEqual(['numTrueHits', 'ballZMax', 'numHeightHits']);
      expect(s.metrics.numTrueHits).toBeGreaterThanOrEqual(1); // the first bounce comes ~0.6 s in
    });

    it('rollout: 3v3 with the random policy prints drone-steps/s and the competitive metrics', () => {
      const r = cli('rollout', 'Volleyball-3v3-v0', '--envs', '2', '--steps', '30', '--policy', 'random', '--threads', '1');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/env-steps\/s, .* drone-steps\/s/);
      expect(r.stdout).toContain('2 envs x 6 drone(s)');
      expect(r.stdout).toMatch(/team0Win .*endCase/);
    });

    it('options that do not apply are usage errors', () => {
      for (const args of [
        ['rollout', 'Volleyball-SoloBump-v0', '--map', 'mapf-default-16'],
        ['rollout', 'Volleyball-SoloBump-v0', '--agents', '3'],
        ['rollout', 'Volleyball-SoloBump-v0', '--policy', 'greedy'],
        ['rollout', 'MAPF-v0', '--substeps', '2'],
        ['rollout', 'MAPF-v0', '--policy', 'scripted'],
        ['bench', 'Volleyball-3v3-v0', '--full'],
        ['bench', 'MAPF-v0', '--envs', '4'],
      ]) {
        const r = cli(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(/--(map|agents|policy|substeps|full|envs)/);
      }
    });

    it('bench --json: step rate of one batch', () => {
      const out = execFileSync(process.execPath, [bin, 'bench', 'Volleyball-3v3-v0', '--envs', '8', '--threads', '1', '--steps', '5', '--repeats', '2', '--policy', 'hover', '--json'], { cwd: root, encoding: 'utf8' });
      const s = JSON.parse(out) as { numEnvs: number; numAgents: number; numThreads: number; stepsPerRepeat: number; envStepsPerSec: number; droneStepsPerSec: number; repeats: number[] };
      expect(s.numEnvs).toBe(8);
      expect(s.numThreads).toBe(1);
      expect(s).toMatchObject({ backend: 'native', seed: 0 });
      expect(s.stepsPerRepeat).toBe(5);
      expect(s.repeats).toHaveLength(2);
      expect(s.envStepsPerSec).toBeGreaterThan(0);
      expect(s.droneStepsPerSec).toBeCloseTo(6 * s.envStepsPerSec, 6);
    });
  });

  describe.skipIf(!native)('RideDispatch-v0', () => {
    interface DispatchSummary {
      policy: string; numEnvs: number; numAgents: number; steps: number; episodes: number; meanLength: number;
      envStepsPerSec: number; vehicleStepsPerSec: number; loopEnvStepsPerSec: number; config: Record<string, unknown>;
      metrics: Record<string, number | null>;
    }
    const rollout = (policy: string): DispatchSummary => JSON.parse(execFileSync(process.execPath,
      [bin, 'rollout', 'RideDispatch-v0', '--envs', '8', '--steps', '60', '--threads', '1', '--policy', policy, '--json'], { cwd: root, encoding: 'utf8' })) as DispatchSummary;

    it('rollout --json: greedy and hungarian finish one episode per env and report every metric', () => {
      const greedy = rollout('greedy'), hungarian = rollout('hungarian');
      for (const [s, name] of [[greedy, 'greedy'], [hungarian, 'hungarian']] as const) {
        expect(s.policy).toBe(name);
        expect(s.numEnvs).toBe(8);
        expect(s.numAgents).toBe(32);
        expect(s.steps).toBe(60);
        expect(s.episodes).toBe(8); // default horizon 60
        expect(s.meanLength).toBe(60);
        expect(s.config.pairInsertionCost).toBe(true);
        expect(s.vehicleStepsPerSec).toBeCloseTo(32 * s.envStepsPerSec, 3);
        expect(s.loopEnvStepsPerSec).toBeLessThanOrEqual(s.envStepsPerSec);
        expect(Object.keys(s.metrics)).toContain('meanDetourMin');
        expect(Object.keys(s.metrics)).toHaveLength(18);
        expect(s.metrics.serviceRate).toBeGreaterThan(0.2);
        expect(s.metrics.serviceRate).toBeLessThanOrEqual(1);
        expect(s.metrics.invalidActions).toBe(0);
        expect(s.metrics.bidConflicts).toBe(0);
        expect(s.metrics.ordersGenerated).toBe(greedy.metrics.ordersGenerated); // same seeds, same demand
      }
      expect(hungarian.metrics.meanPickupMin!).toBeLessThanOrEqual(greedy.metrics.meanPickupMin! + 0.5);
    });

    it('rollout prints vehicle-steps/s and the service metrics; noop serves nothing', () => {
      const r = cli('rollout', 'RideDispatch-v0', '--envs', '4', '--vehicles', '8', '--slots', '8', '--capacity', '2', '--policy', 'noop', '--steps', '30');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('4 envs x 8 vehicles, 30 steps, policy noop');
      expect(r.stdout).toContain('capacity 2, 8 order slots');
      expect(r.stdout).toMatch(/env-steps\/s, .* vehicle-steps\/s/);
      expect(r.stdout).toContain('episodes finished:        0');
      expect(r.stdout).toContain('service rate:             n/a');
    });

    it('render --out writes an animated city SVG; bench --json measures one batch; list shows the env', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'mw-render-')), 'city.svg');
      const r = cli('render', 'RideDispatch-v0', '--steps', '10', '--vehicles', '5', '--out', file);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('11 frames');
      const svg = readFileSync(file, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.match(/<g class="vehicle"/g)).toHaveLength(5);
      const out = execFileSync(process.execPath, [bin, 'bench', 'RideDispatch-v0', '--envs', '8', '--threads', '1', '--steps', '5', '--repeats', '2', '--json'], { cwd: root, encoding: 'utf8' });
      const b = JSON.parse(out) as { numEnvs: number; numAgents: number; numThreads: number; policy: string; repeats: number[]; envStepsPerSec: number; vehicleStepsPerSec: number };
      expect(b).toMatchObject({ numEnvs: 8, numAgents: 32, numThreads: 1, policy: 'random' });
      expect(b.repeats).toHaveLength(2);
      expect(b.vehicleStepsPerSec).toBeCloseTo(32 * b.envStepsPerSec, 3);
      expect(cli('list').stdout).toContain('RideDispatch-v0');
    });

    it('options of other envs, and policies of other envs, are usage errors', () => {
      for (const args of [
        ['rollout', 'RideDispatch-v0', '--agents', '3'],
        ['rollout', 'RideDispatch-v0', '--map', 'mapf-default-16'],
        ['rollout', 'RideDispatch-v0', '--substeps', '2'],
        ['rollout', 'RideDispatch-v0', '--policy', 'scripted'],
        ['rollout', 'MAPF-v0', '--vehicles', '4'],
        ['rollout', 'MAPF-v0', '--policy', 'hungarian'],
        ['rollout', 'Volleyball-SoloBump-v0', '--slots', '4'],
        ['rollout', 'Volleyball-SoloBump-v0', '--policy', 'noop'],
        ['render', 'RideDispatch-v0', '--collision', 'soft'],
        ['bench', 'RideDispatch-v0', '--full'],
        ['bench', 'RideDispatch-v0', '--policy', 'hover'],
        ['bench', 'MAPF-v0', '--capacity', '2'],
        ['bench', 'Volleyball-3v3-v0', '--vehicles', '2'],
      ]) {
        const r = cli(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr, args.join(' ')).toMatch(/--(agents|map|substeps|policy|vehicles|slots|collision|full|capacity)/);
      }
    });
  });
});
