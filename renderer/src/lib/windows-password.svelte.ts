/**
 * Journey 3: decrypt a cloud Windows server's password. The blob is pasted (or, in the desktop
 * app, fetched from a remote's ECS by server id); the key is a key pair the vault hosts or a
 * private key pasted or uploaded here, read in the page and sent as content (so this works in
 * web mode too: no path crosses HTTP). An encrypted key asks for its passphrase.
 */
import { MAX_KEY_TEXT_CHARS } from '../../../shared/operations/kps.js';
import { UiError, type Client } from './api.js';
import { Task } from './task.svelte.js';

const PASSPHRASE_REQUIRED = 'KPS.1002';

export class WindowsPasswordManager {
  source = $state<'paste' | 'remote'>('paste');
  /** Which private key decrypts it: a hosted key pair, or a key given here as text. */
  keySource = $state<'hosted' | 'text'>('hosted');
  blob = $state('');
  remoteName = $state('');
  serverId = $state('');
  keypairName = $state('');
  keyText = $state('');
  keyFileName = $state('');
  passphrase = $state('');
  /** The given key is encrypted and its passphrase is needed: the screen asks for it. */
  askPassphrase = $state(false);
  password = $state<string | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  /** A remote's fetch takes a hosted key pair only (its operation reads key files by path otherwise). */
  get usesKeyText(): boolean {
    return this.source === 'paste' && this.keySource === 'text';
  }

  get ready(): boolean {
    const key = this.usesKeyText ? this.keyText.trim() !== '' : this.keypairName !== '';
    return key && (this.source === 'paste' ? this.blob.trim() !== '' : this.remoteName !== '' && this.serverId.trim() !== '');
  }

  setKeyText(text: string, name = ''): void {
    this.keyText = text;
    this.keyFileName = name;
    this.passphrase = '';
    this.askPassphrase = false;
    this.password = null;
  }

  /** An uploaded or dropped key file, read in the page; larger than any key file is refused before reading. */
  async takeKeyFile(file: File): Promise<void> {
    if (file.size > MAX_KEY_TEXT_CHARS) {
      this.setKeyText('');
      this.task.error = `${file.name} is ${file.size} bytes; key files are at most ${MAX_KEY_TEXT_CHARS / 1024} KiB. Is it a key file?`;
      return;
    }
    this.setKeyText(await file.text(), file.name);
    this.task.error = null;
  }

  async decrypt(): Promise<void> {
    this.password = null;
    await this.task.run(async () => {
      try {
        const res =
          this.source === 'remote'
            ? await this.client.call('remoteWindowsPassword', { name: this.remoteName, server_id: this.serverId.trim(), keypair_name: this.keypairName })
            : await this.client.call('kpsWindowsPassword', { password_blob: this.blob.replace(/\s+/g, ''), ...this.key() });
        this.askPassphrase = false;
        this.password = res.password;
      } catch (e) {
        if (!(e instanceof UiError && e.code === PASSPHRASE_REQUIRED && this.usesKeyText)) throw e;
        this.askPassphrase = true;
      }
    });
  }

  private clear(): void {
    this.blob = '';
    this.password = null;
    this.setKeyText('');
  }

  private key(): { keypair_name: string } | { private_key_text: string; passphrase?: string } {
    if (!this.usesKeyText) return { keypair_name: this.keypairName };
    return { private_key_text: this.keyText, ...(this.passphrase ? { passphrase: this.passphrase } : {}) };
  }

  onLock(): void {
    this.clear();
    this.remoteName = '';
    this.serverId = '';
    this.keypairName = '';
    this.task.error = null;
  }

  /** The decrypted password and a given key (with its passphrase) stay on their screen, never behind it. */
  onLeave(): void {
    this.clear();
  }
}
