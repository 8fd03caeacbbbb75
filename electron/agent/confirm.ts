/**
 * Asking the user before a signature, when the agent is the desktop app (docs/agent.md). The
 * agent asks a `ConfirmSign` the shell provides and never waits longer than CONFIRM_TIMEOUT_MS:
 * no answer is a denial, so a request never hangs. "Allow for this session" is remembered per
 * key pair and requesting program until the vault next locks (the holder's epoch changes).
 */
export interface SignRequest {
  keypair_name: string;
  fingerprint: string;
  /** The server's host key, when ssh bound the connection to one. */
  host_key?: string;
  /** The key pair's host pattern that admitted the server, if a pattern did. */
  host_pattern?: string;
  /** The program asking (the socket's peer), where the platform tells (peer-process.ts). */
  process?: { pid: number; command: string };
}

/** The user's answer: once, for the rest of this unlocked session, or no. */
export type SignAnswer = 'once' | 'session' | 'deny';
export type ConfirmSign = (request: SignRequest, signal: AbortSignal) => Promise<SignAnswer>;

/** How a signature came to be allowed or refused, as the audit entry records it (`confirmation`). */
export type SignConfirmation = 'allowed-once' | 'allowed-for-session' | 'allowed-earlier-this-session' | 'denied' | 'timed-out';

export const CONFIRM_TIMEOUT_MS = 60_000;

export class SignConfirmer {
  /** "Allow for this session" answers: key pair + program, valid while the epoch they were given in lasts. */
  private approvals = new Map<string, number>();

  constructor(
    private readonly ask: ConfirmSign,
    private readonly timeoutMs = CONFIRM_TIMEOUT_MS,
  ) {}

  /** `epoch` names the unlocked session: approvals from another one count for nothing. */
  async decide(request: SignRequest, epoch: number): Promise<SignConfirmation> {
    const key = `${request.keypair_name}\n${request.fingerprint}\n${request.process?.command ?? '(unknown program)'}`;
    if (this.approvals.get(key) === epoch) return 'allowed-earlier-this-session';
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    try {
      const answer = await Promise.race([this.ask(request, abort.signal).catch((): SignAnswer => 'deny'), timeout]);
      if (answer === 'timeout') return 'timed-out';
      if (answer === 'session') {
        this.approvals.set(key, epoch);
        return 'allowed-for-session';
      }
      return answer === 'once' ? 'allowed-once' : 'denied';
    } finally {
      clearTimeout(timer);
      // A dialog still open (the timeout won) is closed.
      abort.abort();
    }
  }
}
