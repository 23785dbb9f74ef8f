/**
 * MovingAI `.map` benchmark files (`type octile`, `height`, `width`, `map`, then the rows) as
 * MAPF grid maps: `.` `G` `S` are free, `@` `O` `T` `W` obstacles.
 * @module
 */

import { readFileSync } from 'node:fs';
import { InvalidMapError } from '../../errors.js';
import type { GridMap } from './maps.js';

/** MovingAI terrain characters that are passable: ground `.`, grass `G`, swamp `S`. */
const MOVINGAI_PASSABLE = new Set(['.', 'G', 'S']);
/** MovingAI terrain characters that are obstacles: out of bounds `@` `O`, trees `T`, water `W`. */
const MOVINGAI_BLOCKED = new Set(['@', 'O', 'T', 'W']);

/** Reads one `key value` header line of a MovingAI map, returning the positive integer value. */
function movingAIDimension(line: string | undefined, key: 'height' | 'width', lineNumber: number): number {
  const match = /^(\S+)\s+(\S+)$/.exec((line ?? '').trim());
  if (match === null || match[1].toLowerCase() !== key || !/^[0-9]+$/.test(match[2]) || Number(match[2]) < 1) {
    throw new InvalidMapError(
      `MovingAI map: line ${lineNumber} should be '${key} <positive integer>', got '${line ?? '<end of file>'}'`,
      { line: lineNumber, text: line ?? null },
    );
  }
  return Number(match[2]);
}

/**
 * Parses the MovingAI benchmark `.map` format: `type octile`, `height H`, `width W`, `map`,
 * then H lines of W characters. `.` `G` `S` are passable; `@` `O` `T` `W` are obstacles.
 * Trailing blank lines are ignored; anything else after the grid is an error.
 * @throws InvalidMapError on a bad header, a wrong number or width of lines, or an unknown character.
 */
export function parseMovingAI(text: string): GridMap {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const typeLine = (lines[0] ?? '').trim();
  if (!/^type\s+\S+$/i.test(typeLine)) {
    throw new InvalidMapError(`MovingAI map: line 1 should be 'type octile', got '${lines[0] ?? '<end of file>'}'`, {
      line: 1,
    });
  }
  const height = movingAIDimension(lines[1], 'height', 2);
  const width = movingAIDimension(lines[2], 'width', 3);
  if ((lines[3] ?? '').trim().toLowerCase() !== 'map') {
    throw new InvalidMapError(`MovingAI map: line 4 should be 'map', got '${lines[3] ?? '<end of file>'}'`, { line: 4 });
  }
  const gridLines = lines.slice(4);
  if (gridLines.length !== height) {
    throw new InvalidMapError(`MovingAI map: header says height ${height}, but ${gridLines.length} map lines follow`, {
      height,
      lines: gridLines.length,
    });
  }
  const cells = new Uint8Array(height * width);
  for (let row = 0; row < height; row++) {
    const line = gridLines[row].replace(/\s+$/, '');
    if (line.length !== width) {
      throw new InvalidMapError(
        `MovingAI map: row ${row} has width ${line.length}, but the header says width ${width}`,
        { row, width: line.length, expectedWidth: width },
      );
    }
    for (let col = 0; col < width; col++) {
      const ch = line[col];
      if (MOVINGAI_BLOCKED.has(ch)) cells[row * width + col] = 1;
      else if (!MOVINGAI_PASSABLE.has(ch)) {
        throw new InvalidMapError(
          `MovingAI map: unknown character '${ch}' at row ${row}, col ${col} (allowed: . G S @ O T W)`,
          { char: ch, row, col },
        );
      }
    }
  }
  return { height, width, cells };
}

/** Reads and parses a MovingAI `.map` file (see {@link parseMovingAI}). */
export function loadMovingAIFile(path: string): GridMap {
  return parseMovingAI(readFileSync(path, 'utf8'));
}
