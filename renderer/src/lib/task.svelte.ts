/** One asynchronous step a screen runs: busy while it runs, its error in plain words after. */
import { codeOf, describeError } from './messages.js';

export class Task {
  busy = $state(false);
  #error = $state<string | null>(null);
  #code = $state<string | null>(null);

  /** What went wrong, in words (null when the last run succeeded). */
  get error(): string | null {
    return this.#error;
  }

  /** A refusal the screen makes itself, before any call: words only, no code. */
  set error(words: string | null) {
    this.#error = words;
    this.#code = null;
  }

  /** The code of the error Keyhold answered, shown beside the words (ErrorNote). */
  get code(): string | null {
    return this.#code;
  }

  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await fn();
    } catch (e) {
      this.#error = describeError(e);
      this.#code = codeOf(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}
