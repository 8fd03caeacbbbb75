/**
 * Turns `--field-name value` flags (and --input-json) into an operation's request body, typed
 * by the declaration's zod schema: numbers, booleans and JSON objects are converted, unknown
 * options are refused by name, and `--<field>-file PATH` reads a field (a password, a key)
 * from a file instead of the command line; `-` (or /dev/stdin) as the PATH, and `@-` for
 * --input-json, read standard input.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import type { OperationDecl } from '../../shared/operations/index.js';
import { fieldToFlag, flagToField } from './args.js';
import { Stdin } from './stdin.js';

type FieldKind = 'string' | 'number' | 'boolean' | 'json';

interface ZodDefLike {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** The kind of value a field takes, looking through optional/default/nullable/pipe wrappers. */
export function fieldKind(schema: z.ZodType): FieldKind {
  let def = defOf(schema);
  for (let depth = 0; depth < 10; depth++) {
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) break;
    def = defOf(inner);
  }
  if (def.type === 'number' || def.type === 'int' || def.type === 'bigint') return 'number';
  if (def.type === 'boolean') return 'boolean';
  if (['object', 'record', 'array', 'tuple'].includes(def.type)) return 'json';
  return 'string';
}

export function isRequired(schema: z.ZodType): boolean {
  return !schema.safeParse(undefined).success;
}

function bad(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.BadArgument, message, 400);
}

function readArgFile(path: string, what: string, by: string, stdin: Stdin): string {
  if (Stdin.names(path)) return stdin.text(by);
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw bad(`Cannot read ${what} from ${path}.`);
  }
}

function convert(kind: FieldKind, flag: string, value: string | true): unknown {
  if (value === true) {
    if (kind === 'boolean') return true;
    throw bad(`Option --${flag} needs a value.`);
  }
  switch (kind) {
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw bad(`Option --${flag} must be a number, not ${JSON.stringify(value)}.`);
      return n;
    }
    case 'boolean':
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad(`Option --${flag} must be true or false.`);
    case 'json':
      try {
        return JSON.parse(value);
      } catch {
        throw bad(`Option --${flag} must be JSON.`);
      }
    default:
      return value;
  }
}

export function buildInput(decl: OperationDecl, flags: Map<string, string | true>, inputJson?: string, stdin: Stdin = new Stdin()): Record<string, unknown> {
  const shape = decl.input.shape as Record<string, z.ZodType>;
  let body: Record<string, unknown> = {};
  if (inputJson !== undefined) {
    const text = inputJson.startsWith('@') ? readArgFile(inputJson.slice(1), '--input-json', `--input-json ${inputJson}`, stdin) : inputJson;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw bad('Option --input-json must be a JSON object (or @file holding one).');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('Option --input-json must be a JSON object.');
  }
  for (const [flag, value] of flags) {
    let field = flagToField(flag);
    let v: string | true = value;
    if (!(field in shape) && field.endsWith('_file') && field.slice(0, -5) in shape) {
      field = field.slice(0, -5);
      if (v === true) throw bad(`Option --${flag} needs a file path.`);
      v = readArgFile(v, `--${fieldToFlag(field)}`, `--${flag} ${v}`, stdin);
    }
    const schema = shape[field];
    if (!schema) {
      const known =
        Object.keys(shape)
          .map((f) => `--${fieldToFlag(f)}`)
          .join(', ') || 'none';
      throw bad(`Unknown option --${flag} for ${decl.service} ${decl.name} (known: ${known}).`);
    }
    body[field] = convert(fieldKind(schema), flag, v);
  }
  return body;
}

/** The fields of an operation as `keyhold ops` and `--help` show them. */
export function describeFields(decl: OperationDecl): { name: string; flag: string; type: FieldKind; required: boolean; description?: string }[] {
  return Object.entries(decl.input.shape as Record<string, z.ZodType>).map(([name, schema]) => ({
    name,
    flag: `--${fieldToFlag(name)}`,
    type: fieldKind(schema),
    required: isRequired(schema),
    ...(schema.description ? { description: schema.description } : {}),
  }));
}
