/**
 * The CLI's command table: everything `keyhold` does besides running a registry operation by
 * `SERVICE OPERATION` (which main.ts falls back to). An entry names its words, says what it does
 * (for help and completion) and runs; what `run` returns is printed in the --output format.
 * An entry whose words match a registry operation (`remote add`) takes its place, so a command
 * can wrap an operation with CLI-only checks. To add a command, add an entry here.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import type { ServiceName } from '../../shared/operations/index.js';
import { findOperation, listOperations, OsKeychain, restoreVault, services, Session } from '../core/api/index.js';
import { completionScript, COMPLETION_SHELLS } from './completion.js';
import type { CliContext } from './context.js';
import { commandHelp, globalHelp, operationHelp, operationHelpJson, serviceHelp, type CommandHelp } from './help.js';
import { describeFields } from './input.js';
import { canPrompt, promptHidden, promptNewPassword } from './password.js';
import { parseServeFlags, serve } from './serve.js';
import { remoteAdd } from './remote-add.js';
import { serveUi } from './serve-ui.js';
import { RawText } from './print.js';
import { keyholdVersion } from './version.js';
import { agentCommand } from './agent/command.js';
import { callThroughAgent } from './agent/through-agent.js';

export interface CliCommand extends CommandHelp {
  run(ctx: CliContext): Promise<unknown>;
}

export { RawText };

function bad(message: string): KeyholdError {
  return new KeyholdError(LocalErrors.BadArgument, message, 400);
}

function isService(word: string | undefined): word is ServiceName {
  return word !== undefined && (services() as string[]).includes(word);
}

/** `keyhold help [SERVICE [OPERATION]]`, also reached by --help anywhere on the line. */
export function helpFor(words: readonly string[], json: boolean): unknown {
  const [service, name, ...rest] = words;
  if (service === undefined) return new RawText(globalHelp(COMMANDS, keyholdVersion()));
  const op = isService(service) && name !== undefined ? findOperation(service, name) : undefined;
  const found = findCommand(words);
  if (op) {
    if (rest.length) throw bad(`Unexpected argument ${rest[0]}.`);
    if (json) return operationHelpJson(op.decl);
    const wrapper = found?.command.words.length === 2 ? `\nOn the command line: ${found.command.summary}.\n` : '';
    return new RawText(operationHelp(op.decl) + wrapper);
  }
  if (found && found.rest.length === 0) return new RawText(commandHelp(found.command));
  if (!isService(service))
    throw new KeyholdError(LocalErrors.UnknownOperation, `Unknown service or command: ${service}. Run \`keyhold help\` for the list.`, 400);
  if (name === undefined) return new RawText(serviceHelp(service, COMMANDS));
  throw new KeyholdError(
    LocalErrors.UnknownOperation,
    `Unknown operation: ${service} ${words.slice(1).join(' ')}. Run \`keyhold ${service} --help\` for the list.`,
    400,
  );
}

export const COMMANDS: readonly CliCommand[] = [
  {
    words: ['help'],
    summary: 'this help; `help SERVICE` and `help SERVICE OPERATION` for more',
    usage: 'keyhold help [SERVICE [OPERATION]]',
    run: async (ctx) => helpFor(ctx.args, ctx.cmd.globals.output === 'json' && ctx.args.length === 2),
  },
  {
    words: ['ops'],
    summary: 'every operation with its fields, as JSON (`ops SERVICE` or `ops --service S` for one service)',
    usage: 'keyhold ops [SERVICE | --service SERVICE]',
    options: [{ flag: 'service', value: 'SERVICE', summary: "only this service's operations", values: services() }],
    run: async (ctx) => {
      ctx.refuseFlags();
      if (ctx.args.length > 1) throw bad(`Unexpected argument ${ctx.args[1]}.`);
      const service = ctx.flagValue('service') ?? ctx.args[0];
      if (service !== undefined && !isService(service)) throw bad(`Unknown service ${service} (one of ${services().join(', ')}).`);
      return listOperations()
        .filter(({ decl }) => service === undefined || decl.service === service)
        .map(({ decl }) => ({
          service: decl.service,
          operation: decl.name,
          aliases: decl.aliases ?? [],
          summary: decl.summary,
          route: decl.route ?? null,
          mutates: decl.mutates,
          fields: describeFields(decl),
        }));
    },
  },
  {
    words: ['completion'],
    summary: `a shell completion script (${COMPLETION_SHELLS.join(', ')})`,
    usage: `keyhold completion ${COMPLETION_SHELLS.join('|')}    e.g. source <(keyhold completion bash)`,
    run: async (ctx) => {
      ctx.refuseFlags();
      const [shell, ...rest] = ctx.args;
      if (rest.length) throw bad(`Unexpected argument ${rest[0]}.`);
      if (!(COMPLETION_SHELLS as readonly string[]).includes(shell ?? '')) throw bad(`Missing or unknown shell: give one of ${COMPLETION_SHELLS.join(', ')}.`);
      return new RawText(completionScript(shell as (typeof COMPLETION_SHELLS)[number], COMMANDS));
    },
  },
  {
    words: ['init'],
    summary: 'create a vault (password from --password-stdin, KEYHOLD_PASSWORD or a prompt)',
    usage: 'keyhold init [--kdf-target-ms 500]',
    options: [{ flag: 'kdf-target-ms', value: 'MS', summary: 'Argon2id cost: about this many milliseconds on this machine (default 500)' }],
    run: async (ctx) => {
      ctx.refuseArgs();
      ctx.refuseFlags();
      const target = ctx.flagValue('kdf-target-ms');
      const kdfTargetMs = target === undefined ? undefined : Number(target);
      if (kdfTargetMs !== undefined && !(Number.isInteger(kdfTargetMs) && kdfTargetMs >= 1 && kdfTargetMs <= 60_000)) {
        throw bad('Option --kdf-target-ms must be an integer from 1 to 60000.');
      }
      const path = ctx.vaultPath();
      const password = ctx.explicitPassword() ?? (await promptNewPassword('master password'));
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const session = await Session.create(path, password, { kdfTargetMs });
      const { alg, m, t, p } = session.vault.kdf;
      session.close();
      return { vault: path, kdf: { alg, m, t, p } };
    },
  },
  {
    words: ['serve'],
    summary: "the operations over HTTP at the cloud's routes (AK/SK-signed); --ui for the web UI",
    usage: 'keyhold serve [--ui] [--host 127.0.0.1] [--port 0] [--tls-cert FILE --tls-key FILE]',
    options: [
      { flag: 'ui', summary: 'web mode: the desktop UI in a browser, unlocked with the master password' },
      { flag: 'host', value: 'ADDRESS', summary: 'address to listen on (default 127.0.0.1)' },
      { flag: 'port', value: 'PORT', summary: 'port (default 0: any free port)' },
      { flag: 'tls-cert', value: 'FILE', summary: 'TLS certificate (PEM); with --tls-key' },
      { flag: 'tls-key', value: 'FILE', summary: 'TLS private key (PEM); with --tls-cert' },
    ],
    run: async (ctx) => {
      ctx.refuseArgs();
      if (ctx.cmd.flags.get('ui') === true) {
        ctx.cmd.flags.delete('ui');
        await serveUi(ctx.vaultPath(), parseServeFlags(ctx.cmd.flags));
        return undefined;
      }
      const opts = parseServeFlags(ctx.cmd.flags);
      await ctx.withSession((session) => serve(session, opts));
      return undefined;
    },
  },
  {
    words: ['vault', 'restore'],
    summary: 'replace the vault with a verified backup',
    usage: 'keyhold vault restore --in FILE',
    options: [{ flag: 'in', value: 'FILE', summary: 'the backup file (from vault backup)' }],
    run: async (ctx) => {
      ctx.refuseArgs();
      ctx.refuseFlags();
      const from = ctx.flagValue('in');
      if (!from) throw bad('Missing parameter: --in (the backup file) is required.');
      const password = ctx.explicitPassword() ?? (canPrompt() ? await promptHidden('Password of the backup: ') : undefined);
      if (password === undefined)
        throw new KeyholdError(LocalErrors.PasswordRequired, "Give the backup's password with --password-stdin or KEYHOLD_PASSWORD.", 400);
      return restoreVault(resolve(from), ctx.vaultPath(), password);
    },
  },
  {
    words: ['vault', 'remember'],
    summary: 'let this device unlock the vault without the password (OS keychain)',
    usage: 'keyhold vault remember',
    run: async (ctx) => {
      ctx.refuseArgs();
      ctx.refuseFlags();
      if (await callThroughAgent(ctx.vaultPath(), { device: 'remember' })) return { remembered: true };
      const keychain = new OsKeychain();
      await ctx.withSession((session) => session.rememberDevice(keychain), keychain);
      return { remembered: true };
    },
  },
  {
    words: ['vault', 'forget'],
    summary: "forget this device's remembered unlock",
    usage: 'keyhold vault forget',
    run: async (ctx) => {
      ctx.refuseArgs();
      ctx.refuseFlags();
      if (await callThroughAgent(ctx.vaultPath(), { device: 'forget' })) return { remembered: false };
      const keychain = new OsKeychain();
      await ctx.withSession((session) => session.forgetDevice(keychain), keychain);
      return { remembered: false };
    },
  },
  {
    words: ['agent'],
    summary: 'unlock once: later calls (and ssh, via SSH_AUTH_SOCK) use the agent (docs/agent.md)',
    usage: 'keyhold agent start [--sh] [--foreground] [--idle-lock-seconds 300] | stop | lock | unlock | status',
    options: [
      { flag: 'sh', summary: 'start: print export lines for eval instead of the JSON line' },
      { flag: 'foreground', summary: 'start: stay attached' },
      { flag: 'idle-lock-seconds', value: 'SECONDS', summary: 'start: lock after this long without a call (0: never; default 300)' },
    ],
    run: async (ctx) => {
      const [action, ...rest] = ctx.args;
      if (rest.length) throw bad(`Unexpected argument ${rest[0]}.`);
      return agentCommand({ action, vault: ctx.vaultPath(), flags: ctx.cmd.flags, explicitPassword: () => ctx.explicitPassword() });
    },
  },
  {
    words: ['remote', 'add'],
    summary: 'register a remote endpoint (warns on cleartext http; --require-tls refuses it)',
    usage: 'keyhold remote add --name NAME --endpoint URL … [--require-tls]   (see `keyhold help remote add`)',
    options: [{ flag: 'require-tls', summary: 'refuse a cleartext (http://) endpoint on another host' }],
    run: remoteAdd,
  },
];

/** The command whose words begin `words` (the longest match), and the words after them. */
export function findCommand(words: readonly string[]): { command: CliCommand; rest: readonly string[] } | undefined {
  let best: CliCommand | undefined;
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => words[i] === w) && (!best || c.words.length > best.words.length)) best = c;
  }
  return best && { command: best, rest: words.slice(best.words.length) };
}
