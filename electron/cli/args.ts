/**
 * Parses the command line of DESIGN §8:
 *   keyhold [--vault PATH] [--password-stdin] [--remote NAME] [--output json|text]
 *           <service> <operation> [--field-name value …] [--input-json JSON|@file]
 * Pure: no I/O, so every rule has a unit test.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';

export interface GlobalFlags {
  vault?: string;
  passwordStdin: boolean;
  remote?: string;
  output: 'json' | 'text';
  help: boolean;
}

export interface ParsedCommand {
  globals: GlobalFlags;
  /** Positional words: service and operation (or `init`, `ops`). */
  words: string[];
  /** `--field-name value` pairs, names kept as typed (kebab-case). */
  flags: Map<string, string | true>;
  inputJson?: string;
}

function bad(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.BadArgument, message, 400);
}

export function parseArgs(argv: readonly string[]): ParsedCommand {
  const globals: GlobalFlags = { passwordStdin: false, output: 'json', help: false };
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  let inputJson: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      if (arg !== '--') words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const next = argv[i + 1];
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw bad(`Option --${name} needs a value.`);
      i++;
      return next;
    };
    switch (name) {
      case 'vault':
        globals.vault = takeValue();
        break;
      case 'password-stdin':
        globals.passwordStdin = true;
        break;
      case 'remote':
        globals.remote = takeValue();
        break;
      case 'output': {
        const v = takeValue();
        if (v !== 'json' && v !== 'text') throw bad(`Option --output must be json or text, not ${v}.`);
        globals.output = v;
        break;
      }
      case 'help':
        globals.help = true;
        break;
      case 'input-json':
        inputJson = takeValue();
        break;
      default:
        if (!name) throw bad(`Empty option name in ${arg}.`);
        if (flags.has(name)) throw bad(`Option --${name} is given twice.`);
        // A flag followed by another flag (or nothing) is a switch: `--force`, `--dry-run`.
        flags.set(name, inline ?? (next === undefined || next.startsWith('--') ? true : (i++, next)));
    }
  }
  return { globals, words, flags, inputJson };
}

export function flagToField(flag: string): string {
  return flag.replace(/-/g, '_');
}

export function fieldToFlag(field: string): string {
  return field.replace(/_/g, '-');
}
