/**
 * Where the master password comes from, in the order of DESIGN §8: --password-stdin, then
 * $KEYHOLD_PASSWORD, then the OS keychain (a remembered device secret), then a hidden prompt
 * when stdin is a terminal.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { type Stdin, stdinIsTerminal } from './stdin.js';

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new KeyholdError(LocalErrors.PasswordRequired, 'Cancelled.', 400));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

export function canPrompt(): boolean {
  return stdinIsTerminal();
}

/** The password from --password-stdin or the environment, if either was given. */
export function explicitPassword(passwordStdin: boolean, stdin: Stdin): string | undefined {
  if (passwordStdin) return stdin.text('--password-stdin');
  return process.env.KEYHOLD_PASSWORD || undefined;
}

export async function promptNewPassword(what: string): Promise<string> {
  if (!canPrompt()) throw new KeyholdError(LocalErrors.PasswordRequired, `No ${what}: use --password-stdin or KEYHOLD_PASSWORD.`, 400);
  const a = await promptHidden(`New ${what}: `);
  const b = await promptHidden(`Repeat the ${what}: `);
  if (a !== b) throw new KeyholdError(LocalErrors.PasswordRequired, 'The two entries differ.', 400);
  if (!a) throw new KeyholdError(LocalErrors.PasswordRequired, `The ${what} must not be empty.`, 400);
  return a;
}
