/** One asynchronous step a screen runs: busy while it runs, its error in plain words after. */
import { describeError } from './messages.js';

export class Task {
  busy = $state(false);
  error = $state<string | null>(null);

  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await fn();
    } catch (e) {
      this.error = describeError(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}
