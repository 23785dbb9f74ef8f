/**
 * Small helpers for writing standalone SVG documents as strings.
 * @module
 */

/** The golden angle in degrees: successive multiples spread hues evenly around the wheel. */
export const GOLDEN_ANGLE_DEGREES = 137.50776405003785;

/** Escapes `& < > " '` so that `text` is safe inside XML text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      default: return '&apos;';
    }
  });
}

/** A distinct colour for item `index`: `hsl(index × golden angle mod 360, 70%, 45%)`. */
export function paletteColor(index: number): string {
  const hue = (index * GOLDEN_ANGLE_DEGREES) % 360;
  return `hsl(${formatNumber(hue, 1)}, 70%, 45%)`;
}

/** Formats `value` with at most `digits` decimals and no trailing zeros (`1.50` → `1.5`, `2.0` → `2`). */
export function formatNumber(value: number, digits = 3): string {
  const fixed = value.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Writes `name="value"` pairs (values escaped), space separated, skipping undefined values. */
export function attributes(attrs: Readonly<Record<string, string | number | undefined>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    parts.push(`${name}="${escapeXml(typeof value === 'number' ? formatNumber(value) : value)}"`);
  }
  return parts.join(' ');
}

/**
 * A SMIL `<animate>` element stepping `attribute` through `values` (one per frame), each shown for
 * an equal share of `durationSeconds`, looping forever (`calcMode="discrete"`).
 */
export function discreteAnimate(attribute: string, values: readonly (string | number)[], durationSeconds: number): string {
  const n = values.length;
  const keyTimes = values.map((_, k) => formatNumber(k / n, 6)).join(';');
  const list = values.map((v) => (typeof v === 'number' ? formatNumber(v) : v)).join(';');
  return `<animate ${attributes({
    attributeName: attribute,
    values: list,
    keyTimes,
    dur: `${formatNumber(durationSeconds)}s`,
    calcMode: 'discrete',
    repeatCount: 'indefinite',
  })}/>`;
}

/**
 * A SMIL `<animateTransform>` stepping a `type` transform (`translate`, `rotate`, ...) through
 * `values` (one per frame; numbers or space-separated argument lists), like {@link discreteAnimate}.
 */
export function discreteAnimateTransform(type: string, values: readonly (string | number)[], durationSeconds: number): string {
  const n = values.length;
  return `<animateTransform ${attributes({
    attributeName: 'transform',
    type,
    values: values.map((v) => (typeof v === 'number' ? formatNumber(v) : v)).join(';'),
    keyTimes: values.map((_, k) => formatNumber(k / n, 6)).join(';'),
    dur: `${formatNumber(durationSeconds)}s`,
    calcMode: 'discrete',
    repeatCount: 'indefinite',
  })}/>`;
}

/**
 * Attributes of one animated element: static values from frame 0, plus one discrete
 * `<animate>` per attribute whose value changes over the `frameCount` frames.
 */
export function animatedAttributes(
  frameCount: number, durationSeconds: number, valueAt: Readonly<Record<string, (frame: number) => number>>,
): { staticAttrs: Record<string, number>; animations: string } {
  const staticAttrs: Record<string, number> = {};
  let animations = '';
  for (const [name, fn] of Object.entries(valueAt)) {
    const values = Array.from({ length: frameCount }, (_, k) => fn(k));
    staticAttrs[name] = values[0];
    if (frameCount > 1 && values.some((v) => v !== values[0])) {
      animations += discreteAnimate(name, values, durationSeconds);
    }
  }
  return { staticAttrs, animations };
}

/**
 * The `visibility` of an element shown only while frame `k` of `frameCount` is on screen: its
 * static value (`'visible'` for frame 0, else `'hidden'`) and the looping discrete `<animate>`.
 */
export function frameVisibility(k: number, frameCount: number, durationSeconds: number): { visibility: string; animate: string } {
  const times: number[] = [];
  const values: string[] = [];
  const push = (time: number, value: string): void => {
    times.push(time);
    values.push(value);
  };
  if (k === 0) push(0, 'visible');
  else {
    push(0, 'hidden');
    push(k / frameCount, 'visible');
  }
  if (k < frameCount - 1) push((k + 1) / frameCount, 'hidden');
  const animate = `<animate ${attributes({
    attributeName: 'visibility',
    values: values.join(';'),
    keyTimes: times.map((t) => formatNumber(t, 6)).join(';'),
    dur: `${formatNumber(durationSeconds)}s`,
    calcMode: 'discrete',
    repeatCount: 'indefinite',
  })}/>`;
  return { visibility: k === 0 ? 'visible' : 'hidden', animate };
}

/** A `<text>` at (`x`, `y`) reading `step k / N` (N = `frameCount - 1`), shown only while frame `k` is on screen. */
export function stepLabel(k: number, frameCount: number, durationSeconds: number, x: number, y: number): string {
  const { visibility, animate } = frameVisibility(k, frameCount, durationSeconds);
  return `<text ${attributes({ x, y, visibility })}>step ${k} / ${frameCount - 1}${animate}</text>`;
}
