/**
 * Parses the command line of DESIGN §8:
 *   keyhold [global options] <service> <operation> [--field-name value …] [--input-json JSON|@file|@-]
 * Global options may stand anywhere; before the first word only they may stand, so a mistyped
 * one (`keyhold --bogus kms list-keys`) is named instead of swallowing the next word as its value.
 * Pure: no I/O, so every rule has a unit test.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';

export const OUTPUT_FORMATS = ['json', 'text', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface GlobalFlags {
  vault?: string;
  passwordStdin: boolean;
  remote?: string;
  /** Absent when not given: results print as JSON, help as text. */
  output?: OutputFormat;
  /** A JMESPath expression applied to the result before it is printed. */
  query?: string;
  help: boolean;
  version: boolean;
}

/** The global options with their value's name (undefined for a switch), for help and completion. */
export const GLOBAL_OPTIONS: readonly { flag: string; value?: string; summary: string }[] = [
  { flag: '--vault', value: 'PATH', summary: 'the vault file (else $KEYHOLD_VAULT, else the default location)' },
  { flag: '--password-stdin', summary: 'read the master password from stdin' },
  { flag: '--remote', value: 'NAME', summary: 'run the operation on a registered remote instead of the local vault' },
  { flag: '--output', value: 'json|text|table', summary: 'output format (default json)' },
  { flag: '--query', value: 'JMESPATH', summary: 'select from the result before printing (as the AWS CLI does)' },
  { flag: '--input-json', value: 'JSON|@FILE|@-', summary: 'the request body as JSON; flags override its fields' },
  { flag: '--help', summary: 'help for the command, service or operation' },
  { flag: '--version', summary: 'print the version' },
];

export interface ParsedCommand {
  globals: GlobalFlags;
  /** Positional words: service and operation (or `init`, `ops`, `help` …). */
  words: string[];
  /** `--field-name value` pairs, names kept as typed (kebab-case). */
  flags: Map<string, string | true>;
  inputJson?: string;
}

function bad(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.BadArgument, message, 400);
}

export function parseArgs(argv: readonly string[]): ParsedCommand {
  const globals: GlobalFlags = { passwordStdin: false, help: false, version: false };
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  let inputJson: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h') {
      globals.help = true;
      continue;
    }
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
        if (!(OUTPUT_FORMATS as readonly string[]).includes(v)) throw bad(`Option --output must be ${OUTPUT_FORMATS.join(', ')}, not ${v}.`);
        globals.output = v as OutputFormat;
        break;
      }
      case 'query':
        globals.query = takeValue();
        break;
      case 'help':
        globals.help = true;
        break;
      case 'version':
        globals.version = true;
        break;
      case 'input-json':
        inputJson = takeValue();
        break;
      default:
        if (!name) throw bad(`Empty option name in ${arg}.`);
        if (words.length === 0) throw bad(`Unknown global option --${name} (run \`keyhold help\` for the global options).`);
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
