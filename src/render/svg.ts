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
