/**
 * Key-file tools (docs/key-formats.md): inspect a key file and convert it to any format Keyhold
 * writes, without putting it in the vault. The key comes as text (pasted, uploaded or dropped;
 * read in the page and sent as content, in both modes) or, in the desktop app, from the OS open
 * dialog (a single-use token: the file is chosen again for each run). The result is saved by the
 * browser's download (web mode) or to a place chosen in the OS save dialog (desktop). Nothing
 * goes into the vault unless the user asks ("Import into the vault", a key pair like Key pairs'
 * own import).
 */
import type { InspectResult } from '../../../shared/operations/kps.js';
import { MAX_KEY_TEXT_CHARS } from '../../../shared/operations/kps.js';
import type { ChosenFile } from '../../../shared/ui/contract.js';
import { UiError, type Client } from './api.js';
import { saveText } from './download.js';
import { EXPORT_FORMATS, FILE_EXTENSIONS, looksPublic, type ExportFormat } from './keypairs.svelte.js';
import { Task } from './task.svelte.js';

/** What the passphrase of a private output becomes. */
export type PassphraseChoice = 'keep' | 'change' | 'remove';

/** A file chosen in the desktop app's open dialog: the token the operation takes and the name shown. */
export interface DialogFile {
  token: string;
  name: string;
}

export interface Converted {
  info: InspectResult;
  fileName: string;
  /** The converted key (web mode, or desktop from pasted text before saving); absent once written by the desktop app. */
  text?: string;
  /** The desktop app wrote the file: the name the save dialog gave. */
  savedAs?: string;
}

/** The format a file was read as, in the words of the tools that write it. */
export function formatLabel(info: Pick<InspectResult, 'format' | 'key_type' | 'encrypted'>): string {
  switch (info.format) {
    case 'ppk3':
      return 'PuTTY PPK v3';
    case 'ppk2':
      return 'PuTTY PPK v2';
    case 'openssh':
      return 'OpenSSH private key (openssh-key-v1)';
    case 'pem':
      if (info.key_type === 'ssh-rsa') return 'PEM, PKCS#1 (RSA PRIVATE KEY)';
      if (info.key_type === 'ssh-dss') return 'PEM, DSA PRIVATE KEY';
      return 'PEM, SEC1 (EC PRIVATE KEY)';
    case 'pkcs8':
      return info.encrypted ? 'PKCS#8 (ENCRYPTED PRIVATE KEY)' : 'PKCS#8 (PRIVATE KEY)';
    case 'public-openssh':
      return 'OpenSSH public key';
    case 'public-rfc4716':
      return 'RFC 4716 public key (SSH2, PuTTYgen)';
    default:
      return info.format;
  }
}

/** The formats a key can be written in: all for a private key (no PEM for Ed25519, which has none), public ones for a public key. */
export function targetsFor(info: InspectResult | null): (typeof EXPORT_FORMATS)[number][] {
  const isPublic = info?.format.startsWith('public-') ?? false;
  return EXPORT_FORMATS.filter((f) => !(isPublic && f.private) && !(f.id === 'pem' && info?.key_type === 'ssh-ed25519'));
}

const PASSPHRASE_REQUIRED = 'KPS.1002';

export class KeyFilesManager {
  /** The key's text as pasted or read from an uploaded file. */
  text = $state('');
  /** The uploaded or chosen file's name, for the output's suggested name. */
  sourceName = $state('');
  /** Desktop: a file chosen in the open dialog, until a run spends its token. */
  dialogFile = $state<DialogFile | null>(null);
  passphrase = $state('');
  /** The key turned out to be encrypted and its passphrase is needed: the screen asks for it. */
  askPassphrase = $state(false);
  info = $state<InspectResult | null>(null);
  to = $state<ExportFormat>('openssh');
  choice = $state<PassphraseChoice>('keep');
  newPassphrase = $state('');
  /** The converted key's comment; empty keeps the key's own. */
  comment = $state('');
  converted = $state<Converted | null>(null);
  /** The key pair the key was imported as, when the user asked for it. */
  imported = $state<string | null>(null);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  get desktop(): boolean {
    return this.client.kind === 'ipc';
  }

  get hasKey(): boolean {
    return this.dialogFile !== null || this.text.trim() !== '';
  }

  /** New text (typed, pasted, uploaded): whatever was shown for the previous key goes. */
  setText(text: string, name = ''): void {
    this.text = text;
    this.sourceName = name;
    this.dialogFile = null;
    this.reset();
  }

  /** An uploaded or dropped file, read in the page; larger than any key file is refused before reading. */
  async takeFile(file: File): Promise<void> {
    if (file.size > MAX_KEY_TEXT_CHARS) {
      this.setText('');
      this.task.error = `${file.name} is ${file.size} bytes; key files are at most ${MAX_KEY_TEXT_CHARS / 1024} KiB. Is it a key file?`;
      return;
    }
    this.setText(await file.text(), file.name);
  }

  /** Desktop: choose the key file in the OS open dialog. */
  async chooseFile(): Promise<void> {
    const c = await this.client.call('dialog.open-file', { title: 'Choose a key file' });
    if (!c.token || c.name === null) return;
    this.text = '';
    this.dialogFile = { token: c.token, name: c.name };
    this.sourceName = c.name;
    this.reset();
  }

  async inspect(): Promise<void> {
    this.info = null;
    this.converted = null;
    await this.run(async (source) => {
      this.info = await this.client.call('kpsInspect', { ...source, ...this.passphraseField() });
    });
  }

  /** Converts to `to` with the passphrase choice; web mode keeps the text for download, the desktop app writes where the save dialog says. */
  async convert(): Promise<void> {
    this.converted = null;
    const isPrivate = EXPORT_FORMATS.find((f) => f.id === this.to)?.private ?? true;
    const fileName = this.outputName();
    await this.run(async (source) => {
      let target: ChosenFile | null = null;
      if (this.desktop) {
        target = await this.client.call('dialog.save-file', { title: 'Save the converted key as', default_name: fileName });
        if (!target.token) return;
      }
      const protection = !isPrivate
        ? {}
        : this.choice === 'remove'
          ? { no_passphrase: true }
          : this.choice === 'change'
            ? { new_passphrase: this.newPassphrase }
            : {};
      // The OS save dialog has already asked before replacing a file.
      const where = target?.token ? { out: target.token, force: true } : {};
      const comment = this.comment.trim() ? { comment: this.comment.trim() } : {};
      const r = await this.client.call('kpsConvert', { ...source, to: this.to, ...this.passphraseField(), ...protection, ...comment, ...where });
      const { key_text: text, ...info } = r;
      this.converted = target?.name ? { info, fileName: target.name, savedAs: target.name } : { info, fileName, ...(text === undefined ? {} : { text }) };
    });
  }

  /**
   * On request only: the key becomes a key pair in the vault (a private key hosted under
   * kps/default, its passphrase used to open it and not kept; a public key as such).
   */
  async importIntoVault(name: string): Promise<void> {
    this.imported = null;
    const text = this.text;
    if (this.dialogFile || !text.trim()) return;
    const keypair = looksPublic(text)
      ? { name, public_key: text }
      : { name, key_protection: { private_key: text, encryption: { type: 'default' as const }, ...this.passphraseField() } };
    await this.run(async () => {
      await this.client.call('createKeypair', { keypair });
      this.imported = name;
    });
  }

  /** Web mode: the converted key as a download. */
  save(doc?: Document): void {
    const c = this.converted;
    if (c?.text !== undefined) saveText(c.fileName, c.text, doc);
  }

  get outputIsPrivate(): boolean {
    return EXPORT_FORMATS.find((f) => f.id === (this.converted?.info.format ?? this.to))?.private ?? true;
  }

  /** Locking, or leaving the screen: nothing of a key or its passphrases stays in the page. */
  onLock(): void {
    this.clear();
  }

  onLeave(): void {
    this.clear();
  }

  private clear(): void {
    this.text = '';
    this.sourceName = '';
    this.dialogFile = null;
    this.reset();
  }

  private reset(): void {
    this.passphrase = '';
    this.newPassphrase = '';
    this.comment = '';
    this.askPassphrase = false;
    this.info = null;
    this.converted = null;
    this.imported = null;
    this.task.error = null;
  }

  private passphraseField(): { passphrase?: string } {
    return this.passphrase ? { passphrase: this.passphrase } : {};
  }

  private outputName(): string {
    const base = (this.sourceName.replace(/\.[^.]*$/, '') || 'key').replace(/[^A-Za-z0-9_.-]/g, '-');
    return `${base}.${FILE_EXTENSIONS[this.to]}`;
  }

  /**
   * Runs one step on the key: by content, or by the dialog's token (spent by the run, so the
   * desktop file is chosen again for the next one). An encrypted key without its passphrase is
   * not an error to show: the screen asks for the passphrase instead.
   */
  private async run(step: (source: { key_text: string } | { in: string }) => Promise<void>): Promise<void> {
    const file = this.dialogFile;
    const source = file ? { in: file.token } : { key_text: this.text };
    if (file) this.dialogFile = null;
    await this.task.run(async () => {
      try {
        await step(source);
        this.askPassphrase = false;
      } catch (e) {
        if (!(e instanceof UiError && e.code === PASSPHRASE_REQUIRED)) throw e;
        this.askPassphrase = true;
      }
    });
  }
}
