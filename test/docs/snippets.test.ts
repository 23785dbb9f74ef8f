/**
 * The TypeScript snippets of README.md and docs/ stay true: every ```ts block type-checks against
 * the sources under the project's compiler options, every snippet that needs no file of the
 * reader's runs to the end on the native backend, and the shapes its comments state
 * (`obs: Float32Array [1024, 32, 389]`, `infos.actionMask [1024, 32, 37]`) are the shapes its
 * env returns. Snippets import `'manyworlds'`; here that is test/helpers/snippet-shim.ts.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { availableBackends } from '../../src/index.js';
import { made } from '../helpers/snippet-shim.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = join(root, 'test', '.snippets');

interface Snippet {
  /** `README.md:39`: the file and the line of the opening fence. */
  where: string;
  /** Its code with `'manyworlds'` pointing at the shim. */
  code: string;
  /** Scratch file name. */
  name: string;
}

function snippets(): Snippet[] {
  const files = ['README.md', ...['docs', 'docs/envs'].flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`))];
  const out: Snippet[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '```ts') continue;
      const end = lines.indexOf('```', i + 1);
      const code = lines.slice(i + 1, end).join('\n').replaceAll("from 'manyworlds'", "from '../helpers/snippet-shim.js'");
      out.push({ where: `${file}:${i + 1}`, code, name: `${file.replace(/[/.]/g, '_')}_${i + 1}.ts` });
      i = end;
    }
  }
  return out;
}

const all = snippets();
mkdirSync(scratch, { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('documentation snippets', () => {
  it('are found in README.md and docs/', () => {
    expect(all.filter((s) => s.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  it('type-check against the sources (strict, the project\'s compiler options)', () => {
    const paths = all.map((s) => join(scratch, s.name));
    all.forEach((s, i) => writeFileSync(paths[i], s.code));
    const program = ts.createProgram(paths, {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], types: ['node'], strict: true, skipLibCheck: true, noEmit: true,
    });
    const problems = paths.flatMap((p, i) => ts.getPreEmitDiagnostics(program, program.getSourceFile(p)).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${all[i].where} (+${line}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }));
    expect(problems).toEqual([]);
  }, 120_000);

  const runnable = all.filter((s) => !/loadCityFile\(/.test(s.code));
  // The snippets' sizes are for the addon; without it the type-check above still covers them.
  const native = availableBackends().some((b) => b.name === 'native' && b.available);
  it.skipIf(!native).each(runnable.map((s) => [s.where, s] as const))('%s runs, and its comments state the shapes it gets', async (_where, s) => {
    const js = ts.transpileModule(s.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const file = join(scratch, `run_${s.name}`);
    writeFileSync(file, js);
    const before = made.length;
    await import(pathToFileURL(file).href);
    const envs = made.slice(before);
    expect(envs.length, `${relative(root, file)} makes an env`).toBeGreaterThan(0);
    const obsClaim = /obs: (Float32Array|Uint8Array) \[([\d, ]+)\]/.exec(s.code);
    if (obsClaim) {
      const [E, A, ...rest] = obsClaim[2].split(',').map(Number);
      expect(envs[0].obsType).toBe(obsClaim[1]);
      expect(envs[0].obsShape).toEqual([E, A, rest.reduce((a, b) => a * b, 1)]);
    }
    const maskClaim = /actionMask \[([\d, ]+)\]/.exec(s.code);
    if (maskClaim) expect(envs[0].maskLength).toBe(maskClaim[1].split(',').map(Number).reduce((a, b) => a * b, 1));
  }, 120_000);
});
