/**
 * What every CLI command gets: the parsed command line, the words after the command's own, the
 * one standard input (see stdin.ts), and the vault opened the way DESIGN §8 says.
 */
import { resolve } from 'node:path';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { defaultVaultPath, OsKeychain, Session, type Credentials, type Keychain } from '../core/api/index.js';
import type { ParsedCommand } from './args.js';
import type { CommandOption } from './help.js';
import { canPrompt, explicitPassword, promptHidden } from './password.js';
import { Stdin } from './stdin.js';

export class CliContext {
  readonly stdin = new Stdin();

  constructor(
    readonly cmd: ParsedCommand,
    /** The words after the command's own (`completion bash` → ['bash']). */
    readonly args: readonly string[] = [],
    /** The command's own options: any other flag is refused by refuseFlags. */
    private readonly options: readonly CommandOption[] = [],
  ) {}

  vaultPath(): string {
    return resolve(this.cmd.globals.vault ?? process.env.KEYHOLD_VAULT ?? defaultVaultPath());
  }

  /** A flag's value; a flag given as a bare switch where a value is needed is refused. */
  flagValue(name: string): string | undefined {
    const v = this.cmd.flags.get(name);
    if (v === true) throw new KeyholdError(LocalErrors.BadArgument, `Option --${name} needs a value.`, 400);
    return v;
  }

  refuseFlags(): void {
    const known = this.options.map((o) => o.flag);
    for (const f of this.cmd.flags.keys()) {
      if (!known.includes(f)) {
        const list = known.length ? ` (known: ${known.map((k) => `--${k}`).join(', ')})` : '';
        throw new KeyholdError(LocalErrors.BadArgument, `Unknown option --${f} for ${this.cmd.words.join(' ')}${list}.`, 400);
      }
    }
  }

  refuseArgs(): void {
    if (this.args.length) throw new KeyholdError(LocalErrors.BadArgument, `Unexpected argument ${this.args[0]}.`, 400);
  }

  /** The password given on the command line's terms (--password-stdin, $KEYHOLD_PASSWORD), if any. */
  explicitPassword(): string | undefined {
    return explicitPassword(this.cmd.globals.passwordStdin, this.stdin);
  }

  credentials(keychain: Keychain): (vaultId: string) => Promise<Credentials> {
    const explicit = this.explicitPassword();
    return async (vaultId) => {
      if (explicit !== undefined) return { password: explicit };
      const remembered = keychain.get(vaultId);
      if (remembered) return { deviceSecret: Buffer.from(remembered, 'base64') };
      if (canPrompt()) return { password: await promptHidden('Master password: ') };
      throw new KeyholdError(LocalErrors.PasswordRequired, 'The vault is locked: give the password with --password-stdin or KEYHOLD_PASSWORD.', 400);
    };
  }

  /** Opens the vault, runs `use`, then lets background tasks finish and closes it. */
  async withSession<T>(use: (session: Session) => Promise<T>, keychain: Keychain = new OsKeychain()): Promise<T> {
    const session = await Session.open(this.vaultPath(), this.credentials(keychain));
    try {
      return await use(session);
    } finally {
      // Background tasks (KPS bindings) finish, and record their outcome, before the vault closes.
      await session.settle();
      session.close();
    }
  }
}
