import { describe, expect, it } from 'vitest';
import { parseMapString } from '../../src/envs/mapf/maps.js';
import { renderAscii, renderSvg, type MapfFrame } from '../../src/render/mapf-render.js';
import { escapeXml, formatNumber, paletteColor } from '../../src/render/svg.js';

const MAP = parseMapString(`
  ..#..
  .##..
  .....
`);

/** Number of maximal horizontal runs of obstacles in the map above: (0,2), (1,1)-(1,2). */
const OBSTACLE_RUNS = 2;

const FRAMES: MapfFrame[] = [
  { positions: [0, 0, 2, 4, 0, 4], goals: [2, 0, 0, 3, 2, 2], active: [1, 1, 1] },
  { positions: [1, 0, 2, 3, 1, 4], goals: [2, 0, 0, 3, 2, 2], active: [1, 1, 1] },
  { positions: new Int32Array([2, 0, 2, 3, 2, 4]), goals: new Int32Array([2, 0, 1, 3, 2, 2]), active: new Uint8Array([0, 1, 1]) },
];

describe('renderAscii', () => {
  it('draws obstacles, agents, goals and a legend', () => {
    expect(renderAscii(MAP, FRAMES[0])).toBe(
      [
        '0.#*2',
        '.##..',
        '*.*.1',
        "agent 0 '0': (0,0) -> (2,0)",
        "agent 1 '1': (2,4) -> (0,3)",
        "agent 2 '2': (0,4) -> (2,2)",
      ].join('\n'),
    );
  });

  it('hides inactive agents and their goals, and draws agents over goals', () => {
    expect(renderAscii(MAP, FRAMES[2])).toBe(
      [
        '..#..',
        '.##*.',
        '..*12',
        "agent 0 '0': (2,0) -> (2,0) done",
        "agent 1 '1': (2,3) -> (1,3)",
        "agent 2 '2': (2,4) -> (2,2)",
      ].join('\n'),
    );
  });

  it('cycles symbols and caps the legend at 16 agents', () => {
    const map = parseMapString('.'.repeat(70));
    const agents = 70;
    const positions = Array.from({ length: agents * 2 }, (_, j) => (j % 2 === 0 ? 0 : j >> 1));
    const text = renderAscii(map, { positions, goals: positions, active: new Array(agents).fill(1) });
    const lines = text.split('\n');
    expect(lines[0]).toBe('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567');
    expect(lines).toHaveLength(1 + 16 + 1);
    expect(lines[17]).toBe('... and 54 more agents');
  });

  it('rejects inconsistent lengths and cells outside the map', () => {
    expect(() => renderAscii(MAP, { positions: [0, 0], goals: [0, 0], active: [1, 1] })).toThrow(/positions/);
    expect(() => renderAscii(MAP, { positions: [3, 0], goals: [0, 0], active: [1] })).toThrow(/\(3, 0\)/);
  });
});

describe('renderSvg', () => {
  const svg = renderSvg(MAP, FRAMES, { cellSize: 10, frameSeconds: 0.25, title: 'a <b> & "c"' });

  it('is a standalone svg document with an escaped title', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>');
    const opened = (svg.match(/<(g|rect|circle|text|animate|title|svg)[\s>]/g) ?? []).length;
    const selfClosed = (svg.match(/\/>/g) ?? []).length;
    const closed = (svg.match(/<\/(g|rect|circle|text|animate|title|svg)>/g) ?? []).length;
    expect(opened).toBe(selfClosed + closed);
  });

  it('has one circle per agent and one goal square per agent', () => {
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/class="goal"/g)).toHaveLength(3);
  });

  it('merges obstacles into one rect per horizontal run', () => {
    const group = /<g class="obstacles"[^>]*>(.*?)<\/g>/s.exec(svg);
    expect(group).not.toBeNull();
    expect(group![1].match(/<rect /g)).toHaveLength(OBSTACLE_RUNS);
    expect(group![1]).toContain('x="10" y="10" width="20" height="10"');
  });

  it('animates with one value per frame', () => {
    const valueLists = [...svg.matchAll(/ values="([^"]*)"/g)].map((m) => m[1]);
    const perFrame = valueLists.filter((v) => !v.includes('visible'));
    expect(perFrame.length).toBeGreaterThan(0);
    for (const values of perFrame) expect(values.split(';')).toHaveLength(FRAMES.length);
    for (const m of svg.matchAll(/keyTimes="([^"]*)"/g)) expect(m[1].startsWith('0')).toBe(true);
    // Agent 0 moves down column 0 then becomes inactive: cy 5;15;25 and opacity 1;1;0.
    expect(svg).toContain('attributeName="cy" values="5;15;25"');
    expect(svg).toContain('attributeName="opacity" values="1;1;0"');
    expect(svg).toContain('dur="0.75s"');
    expect(svg).toContain('step 2 / 2');
  });

  it('renders a single frame statically', () => {
    const single = renderSvg(MAP, [FRAMES[0]]);
    expect(single).not.toContain('<animate');
    expect(single.match(/<circle /g)).toHaveLength(3);
  });

  it('rejects empty frame lists and mismatched agent counts', () => {
    expect(() => renderSvg(MAP, [])).toThrow(/at least one frame/);
    const fewer: MapfFrame = { positions: [0, 0], goals: [0, 0], active: [1] };
    expect(() => renderSvg(MAP, [FRAMES[0], fewer])).toThrow(/frame 1 has 1 agents/);
  });
});

describe('svg helpers', () => {
  it('escapes, formats numbers and spreads colours', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(formatNumber(2)).toBe('2');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(10)).toBe('10');
    expect(formatNumber(1 / 3)).toBe('0.333');
    expect(paletteColor(0)).toBe('hsl(0, 70%, 45%)');
    expect(paletteColor(1)).not.toBe(paletteColor(2));
  });
});
