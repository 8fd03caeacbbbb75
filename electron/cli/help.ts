/**
 * Help text generated from the operation registry and the CLI's command table: the global usage,
 * one service's operations, and one operation's fields (type, required, allowed values, limits,
 * description, example), so help can never drift from what the parser accepts.
 */
import { z } from 'zod';
import type { OperationDecl, ServiceName } from '../../shared/operations/index.js';
import { defaultVaultPath, listOperations, offeredOver, services, type Origin } from '../core/api/index.js';
import { fieldToFlag, GLOBAL_OPTIONS } from './args.js';
import { fieldDoc } from './field-docs.js';
import { describeFields, fieldKind, isRequired } from './input.js';

/** What each service is for, one line each (the operations' own summaries say the rest). */
export const SERVICE_SUMMARIES: Readonly<Record<ServiceName, string>> = {
  kms: 'keys: create, rotate, encrypt, sign, data keys, grants (Huawei Cloud KMS)',
  csms: 'secrets: versions, stages, rotation (Huawei Cloud CSMS)',
  kps: 'SSH key pairs: create, import, export, convert (Huawei Cloud KPS)',
  file: 'large files encrypted and signed with KMS keys',
  servers: 'SSH servers that key pairs are bound to',
  remote: 'remote Keyhold or cloud endpoints and sync with them',
  iam: 'access keys (AK/SK) for `keyhold serve`',
  audit: 'the tamper-evident audit log',
  vault: 'the vault itself: password, backup, maintenance',
  'ssh-agent': 'which hosted key pairs `keyhold agent` offers to ssh, and to which hosts',
};

/** An option of a CLI command (without the leading --); no `value` makes it a switch. */
export interface CommandOption {
  flag: string;
  summary: string;
  value?: string;
  /** The values it takes, for completion. */
  values?: readonly string[];
}

/** A command the CLI has besides the registry's operations (init, serve, completion …). */
export interface CommandHelp {
  words: readonly string[];
  summary: string;
  usage: string;
  /** Its own options (beyond the operation's fields, for a command that wraps one). */
  options?: readonly CommandOption[];
}

const INDENT = '  ';

function column(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${INDENT}${a.padEnd(width)}  ${b}`);
}

export function globalHelp(commands: readonly CommandHelp[], version: string): string {
  return [
    `Keyhold ${version}: local KMS, secrets and SSH key pairs, compatible with Huawei Cloud DEW.`,
    '',
    'Usage:',
    `${INDENT}keyhold [global options] SERVICE OPERATION [--field value …]`,
    `${INDENT}keyhold SERVICE --help                 the service's operations`,
    `${INDENT}keyhold SERVICE OPERATION --help       the operation's fields, limits and an example`,
    '',
    'Services:',
    ...column(services().map((s) => [s, SERVICE_SUMMARIES[s]])),
    '',
    'Commands:',
    ...column(commands.map((c) => [c.words.join(' '), c.summary])),
    '',
    'Global options:',
    ...column(GLOBAL_OPTIONS.map((o) => [o.value ? `${o.flag} ${o.value}` : o.flag, o.summary])),
    '',
    `Vault: --vault, else $KEYHOLD_VAULT, else ${defaultVaultPath()}.`,
    'Any field can be read from a file with --FIELD-file PATH; a PATH of - reads stdin (one option per call).',
    'Exit status: 0 success, 2 a mistake in the call, 1 anything else.',
    '',
  ].join('\n');
}

export function serviceHelp(service: ServiceName, commands: readonly CommandHelp[]): string {
  const ops = listOperations().filter(({ decl }) => decl.service === service);
  const extra = commands.filter((c) => c.words[0] === service && c.words.length > 1);
  return [
    `keyhold ${service}: ${SERVICE_SUMMARIES[service]}`,
    '',
    'Operations:',
    ...column([
      ...ops.map(({ decl }): [string, string] => [decl.name, decl.summary]),
      ...extra.filter((c) => !ops.some(({ decl }) => decl.name === c.words[1])).map((c): [string, string] => [c.words.slice(1).join(' '), c.summary]),
    ]),
    '',
    `Run \`keyhold ${service} OPERATION --help\` for an operation's fields.`,
    '',
  ].join('\n');
}

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchemaProperty;
  description?: string;
}

function propertiesOf(decl: OperationDecl): Record<string, JsonSchemaProperty> {
  const schema = z.toJSONSchema(decl.input, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchemaProperty> };
  return schema.properties ?? {};
}

function limits(p: JsonSchemaProperty): string[] {
  const out: string[] = [];
  const range = (what: string, lo?: number, hi?: number) => {
    if (lo !== undefined && hi !== undefined) out.push(lo === hi ? `${what} ${lo}` : `${what} ${lo} to ${hi}`);
    else if (lo !== undefined) out.push(`${what} at least ${lo}`);
    else if (hi !== undefined) out.push(`${what} at most ${hi}`);
  };
  range('length', p.minLength, p.maxLength);
  const lo = p.minimum ?? (p.exclusiveMinimum !== undefined ? p.exclusiveMinimum + (p.type === 'integer' ? 1 : 0) : undefined);
  const hi = p.maximum ?? (p.exclusiveMaximum !== undefined ? p.exclusiveMaximum - (p.type === 'integer' ? 1 : 0) : undefined);
  range(p.type === 'integer' ? 'integer' : 'value', lo, hi);
  if (p.type === 'integer' && lo === undefined && hi === undefined) out.push('an integer');
  range('items', p.minItems, p.maxItems);
  if (p.pattern) out.push(`pattern ${p.pattern}`);
  if (p.format) out.push(`format ${p.format}`);
  return out;
}

function allowed(p: JsonSchemaProperty): unknown[] | undefined {
  return p.enum ?? p.items?.enum;
}

/** A word as the shell takes it: quoted when it holds anything but plain characters. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An example value: the glossary's, else one the schema allows. */
function exampleOf(service: string, field: string, p: JsonSchemaProperty, kind: string): string | undefined {
  const doc = fieldDoc(field, service);
  if (doc?.example !== undefined) return doc.example;
  const values = allowed(p);
  if (values?.length) return p.type === 'array' ? JSON.stringify([values[0]]) : String(p.default ?? values[0]);
  if (kind === 'boolean') return 'true';
  if (kind === 'number') return String(p.default ?? p.minimum ?? 1);
  return undefined;
}

/** How help names where an operation may run (core/api/admission.ts decides it). */
const REACH_WORDS: readonly [Origin, string][] = [
  ['cli', 'the CLI'],
  ['ipc', 'the desktop app'],
  ['http', 'keyhold serve'],
  ['remote', '--remote'],
];

export function operationHelp(decl: OperationDecl): string {
  const shape = decl.input.shape as Record<string, z.ZodType>;
  const props = propertiesOf(decl);
  const lines = [`keyhold ${decl.service} ${decl.name}: ${decl.summary}`];
  if (decl.aliases?.length) lines.push(`Also answers to: ${decl.aliases.join(', ')}`);
  if (decl.route) lines.push(`Cloud route: ${decl.route.method} ${decl.route.path}`);
  if (decl.localFiles) lines.push('Reads or writes local files: not offered over HTTP or with --remote.');
  else if (!offeredOver(decl, 'http'))
    lines.push(
      `Offered only in ${REACH_WORDS.filter(([origin]) => offeredOver(decl, origin))
        .map(([, words]) => words)
        .join(' and ')}.`,
    );
  else if (decl.localFileFields?.length)
    lines.push(`${decl.localFileFields.map((f) => `--${f.replace(/_/g, '-')}`).join(', ')} name local files: not accepted over HTTP or with --remote.`);
  lines.push('', 'Options:');
  const exampleArgs: string[] = [];
  const entries = Object.entries(shape);
  if (!entries.length) lines.push(`${INDENT}(none)`);
  for (const [field, schema] of entries) {
    const p = props[field] ?? {};
    const kind = fieldKind(schema);
    const required = isRequired(schema);
    const doc = fieldDoc(field, decl.service);
    const flag = `--${fieldToFlag(field)}`;
    const type = kind === 'json' ? `JSON ${p.type === 'array' ? 'array' : 'object'}` : p.type === 'integer' ? 'integer' : kind;
    lines.push(`${INDENT}${flag} ${type.toUpperCase().replace(' ', '-')}${required ? '  (required)' : ''}`);
    const description = schema.description ?? p.description ?? doc?.description;
    if (description) lines.push(`${INDENT}${INDENT}  ${description}`);
    const values = allowed(p);
    if (values) lines.push(`${INDENT}${INDENT}  Allowed: ${values.map(String).join(', ')}`);
    if (p.default !== undefined)
      lines.push(`${INDENT}${INDENT}  Default: ${typeof p.default === 'string' && p.default !== '' ? p.default : JSON.stringify(p.default)}`);
    const limit = limits(p);
    if (limit.length) lines.push(`${INDENT}${INDENT}  Limits: ${limit.join('; ')}`);
    const example = exampleOf(decl.service, field, p, kind);
    if (example !== undefined) {
      lines.push(`${INDENT}${INDENT}  Example: ${flag} ${kind === 'boolean' && example === 'true' ? '' : shellWord(example)}`.trimEnd());
      if (required) exampleArgs.push(kind === 'boolean' && example === 'true' ? flag : `${flag} ${shellWord(example)}`);
    } else if (required) {
      exampleArgs.push(`${flag} ${fieldToFlag(field).toUpperCase()}`);
    }
  }
  lines.push('', 'Example:', `${INDENT}keyhold ${decl.service} ${decl.name}${exampleArgs.length ? ` ${exampleArgs.join(' ')}` : ''}`, '');
  lines.push('Any field can be read from a file with --FIELD-file PATH (- for stdin), or the whole body given with --input-json JSON|@FILE|@-.', '');
  return lines.join('\n');
}

/** An operation's help as JSON (`--help --output json`): the shape scripts have relied on. */
export function operationHelpJson(decl: OperationDecl): unknown {
  return {
    service: decl.service,
    operation: decl.name,
    aliases: decl.aliases ?? [],
    summary: decl.summary,
    route: decl.route ?? null,
    fields: describeFields(decl),
  };
}

export function commandHelp(command: CommandHelp): string {
  const options = command.options?.length
    ? ['', 'Options:', ...column(command.options.map((o) => [o.value ? `--${o.flag} ${o.value}` : `--${o.flag}`, o.summary]))]
    : [];
  return [`keyhold ${command.words.join(' ')}: ${command.summary}`, '', 'Usage:', `${INDENT}${command.usage}`, ...options, ''].join('\n');
}
