/**
 * make()'s result types follow the env id (and MAPF-v0's obsDtype), and a misspelt config field
 * is a compile error: test/fixtures/types/typed-make.ts must compile with no diagnostics, each of
 * its `@ts-expect-error` lines being needed (TypeScript reports the ones that are not).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'types', 'typed-make.ts');

describe('make() result types', () => {
  it('are the env\'s own, and bad configs do not compile', () => {
    const program = ts.createProgram([fixture], {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'], types: ['node'], strict: true, skipLibCheck: true, noEmit: true,
    });
    const problems = ts.getPreEmitDiagnostics(program, program.getSourceFile(fixture)).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `typed-make.ts:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  }, 120_000);
});
