/**
 * Copying a secret: it goes to the clipboard, a countdown shows, and after 30 s (or on "clear
 * now", or when the vault locks) the clipboard is overwritten with nothing.
 */
import { CLIPBOARD_CLEAR_SECONDS } from '../../../shared/ui/contract.js';

export interface ClipboardLike {
  writeText(text: string): Promise<void>;
}

export class ClipboardManager {
  /** Seconds until the clipboard is cleared; 0 when nothing of ours is on it. */
  remaining = $state(0);
  label = $state('');
  error = $state<string | null>(null);
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly clipboard: ClipboardLike,
    private readonly seconds = CLIPBOARD_CLEAR_SECONDS,
  ) {}

  async copy(text: string, label: string): Promise<void> {
    this.error = null;
    try {
      await this.clipboard.writeText(text);
    } catch {
      this.error = 'The clipboard refused the copy. Select the text and copy it by hand.';
      return;
    }
    this.label = label;
    this.remaining = this.seconds;
    this.stop();
    this.ticker = setInterval(() => {
      this.remaining -= 1;
      if (this.remaining <= 0) void this.clearNow();
    }, 1000);
  }

  async clearNow(): Promise<void> {
    const hadCopy = this.ticker !== null || this.remaining > 0;
    this.stop();
    this.remaining = 0;
    this.label = '';
    if (hadCopy) await this.clipboard.writeText('').catch(() => undefined);
  }

  private stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }
}
