/**
 * A small argument parser for the CLI: `--flag value`, `--flag=value`, boolean flags and
 * positionals. Unknown flags and malformed values raise {@link UsageError} (exit code 2).
 * @module
 */

/** A command-line usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How one option is read: an integer, a string, one of fixed choices, or a boolean flag. */
export type OptionKind =
  | { type: 'int'; min?: number; max?: number }
  | { type: 'string' }
  | { type: 'choice'; choices: readonly string[] }
  | { type: 'flag' };

/** Declaration of one `--name` option. */
export interface OptionSpec {
  /** How the value is parsed. */
  kind: OptionKind;
  /** Metavariable and description for `--help`. */
  help: string;
  /** Value placeholder in `--help`, e.g. `N`. */
  meta?: string;
}

/** Parsed options (`undefined` when not given; `true` for flags given) and positionals. */
export interface ParsedArgs {
  /** Values by option name (without the leading dashes). */
  options: Record<string, number | string | boolean | undefined>;
  /** Positional arguments in order. */
  positionals: string[];
  /** Whether `--help` or `-h` was given. */
  help: boolean;
}

function parseValue(command: string, name: string, kind: OptionKind, raw: string): number | string {
  switch (kind.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new UsageError(`${command}: --${name} expects an integer, got '${raw}'`);
      const v = Number(raw);
      if (!Number.isSafeInteger(v)) throw new UsageError(`${command}: --${name} is out of range, got ${raw}`);
      if ((kind.min !== undefined && v < kind.min) || (kind.max !== undefined && v > kind.max)) {
        throw new UsageError(`${command}: --${name} must be in [${kind.min ?? '-inf'}, ${kind.max ?? 'inf'}], got ${raw}`);
      }
      return v;
    }
    case 'choice':
      if (!kind.choices.includes(raw)) {
        throw new UsageError(`${command}: --${name} must be one of ${kind.choices.join('|')}, got '${raw}'`);
      }
      return raw;
    default:
      return raw;
  }
}

/**
 * Parses `args` (the words after the command name) against `specs`.
 * @param command - the command name, used in messages.
 * @param maxPositionals - how many positionals are allowed.
 * @throws UsageError on an unknown flag, a missing or malformed value, or extra positionals.
 */
export function parseArgs(command: string, args: readonly string[], specs: Readonly<Record<string, OptionSpec>>,
  maxPositionals: number): ParsedArgs {
  const out: ParsedArgs = { options: {}, positionals: [], help: false };
  // --help wins over anything else on the line, even a malformed option.
  const end = args.indexOf('--');
  if (args.slice(0, end < 0 ? args.length : end).some((a) => a === '--help' || a === '-h')) return { ...out, help: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`${command}: unknown flag '${arg}' (see '${command} --help')`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) throw new UsageError(`${command}: unknown flag '--${name}' (see '${command} --help')`);
    if (spec.kind.type === 'flag') {
      if (eq >= 0) throw new UsageError(`${command}: --${name} takes no value`);
      out.options[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      // A following flag (or a lone '-') is not this option's value: `--out --ascii` names no file.
      if (i + 1 >= args.length || args[i + 1] === '-' || args[i + 1].startsWith('--')) throw new UsageError(`${command}: --${name} needs a value`);
      raw = args[++i];
    }
    out.options[name] = parseValue(command, name, spec.kind, raw);
  }
  if (!out.help && out.positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument '${out.positionals[maxPositionals]}'`);
  }
  return out;
}

/** Formats the option list of a command for `--help`. */
export function formatOptions(specs: Readonly<Record<string, OptionSpec>>): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const meta = s.kind.type === 'flag' ? '' : ` ${s.meta ?? (s.kind.type === 'choice' ? s.kind.choices.join('|') : 'VALUE')}`;
    return [`--${name}${meta}`, s.help] as const;
  });
  rows.push(['--help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n');
}
