/**
 * Copying a secret: it goes to the clipboard, a countdown shows, and after 30 s (or on "clear
 * now", or when the vault locks) the clipboard is cleared. In the desktop app the main process
 * does the writing and clearing (it works while the window is in the background); in a browser
 * a page may only write while focused, so a clear that was refused is retried on focus.
 */
import { CLIPBOARD_CLEAR_SECONDS } from '../../../shared/ui/contract.js';
import type { Client } from './api.js';

export interface ClipboardLike {
  write(text: string): Promise<void>;
  clear(): Promise<void>;
}

export function browserClipboard(clipboard: Pick<Clipboard, 'writeText'>): ClipboardLike {
  return { write: (text) => clipboard.writeText(text), clear: () => clipboard.writeText('') };
}

export function desktopClipboard(client: Client): ClipboardLike {
  return {
    write: async (text) => void (await client.call('clipboard.write', { text })),
    clear: async () => void (await client.call('clipboard.clear', {})),
  };
}

export class ClipboardManager {
  /** Seconds until the clipboard is cleared; 0 when nothing of ours is on it. */
  remaining = $state(0);
  label = $state('');
  error = $state<string | null>(null);
  /** A clear the browser refused (page not focused); retried by retryClear(). */
  pendingClear = $state(false);
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly clipboard: ClipboardLike,
    private readonly seconds = CLIPBOARD_CLEAR_SECONDS,
  ) {}

  async copy(text: string, label: string): Promise<void> {
    this.error = null;
    try {
      await this.clipboard.write(text);
    } catch {
      this.error = 'The clipboard refused the copy. Select the text and copy it by hand.';
      return;
    }
    this.label = label;
    this.remaining = this.seconds;
    this.pendingClear = false;
    this.stop();
    this.ticker = setInterval(() => {
      this.remaining -= 1;
      if (this.remaining <= 0) void this.clearNow();
    }, 1000);
  }

  async clearNow(): Promise<void> {
    const hadCopy = this.ticker !== null || this.remaining > 0 || this.pendingClear;
    this.stop();
    this.remaining = 0;
    this.label = '';
    if (!hadCopy) return;
    try {
      await this.clipboard.clear();
      this.pendingClear = false;
    } catch {
      this.pendingClear = true;
    }
  }

  /** Called when the page gets focus back. */
  async retryClear(): Promise<void> {
    if (this.pendingClear) await this.clearNow();
  }

  private stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** What Keyhold copied leaves the clipboard when the vault locks. */
  onLock(): void {
    this.error = null;
    void this.clearNow();
  }
}
