/**
 * SSH key pairs: list, details, generate, import (pasted, chosen or dropped text), export a
 * hosted private key in a chosen format and passphrase, delete. A private key the vault does
 * not keep (generated, not hosted) and every exported private key are shown once: they live
 * in `oneTime` until the user dismisses them, and the manager keeps no other copy.
 */
import type { KeypairDetail, KeypairListItem } from '../../../shared/operations/kps.js';
import type { Client } from './api.js';
import { ListView } from './list-view.svelte.js';
import { Task } from './task.svelte.js';

export const KEYPAIR_ALGORITHMS = ['SSH_ED25519', 'SSH_ECDSA_256', 'SSH_ECDSA_384', 'SSH_ECDSA_521', 'SSH_RSA_2048', 'SSH_RSA_3072', 'SSH_RSA_4096'] as const;
export type KeypairAlgorithm = (typeof KEYPAIR_ALGORITHMS)[number];

export const EXPORT_FORMATS = [
  { id: 'ppk3', label: 'PuTTY PPK v3', private: true },
  { id: 'ppk2', label: 'PuTTY PPK v2', private: true },
  { id: 'openssh', label: 'OpenSSH private key', private: true },
  { id: 'pem', label: 'PEM (PKCS#1 / SEC1)', private: true },
  { id: 'pkcs8', label: 'PKCS#8', private: true },
  { id: 'public-openssh', label: 'Public key, OpenSSH line', private: false },
  { id: 'public-rfc4716', label: 'Public key, RFC 4716 (PuTTYgen)', private: false },
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number]['id'];

export const FILE_EXTENSIONS: Record<ExportFormat, string> = {
  ppk3: 'ppk',
  ppk2: 'ppk',
  openssh: 'key',
  pem: 'pem',
  pkcs8: 'p8.pem',
  'public-openssh': 'pub',
  'public-rfc4716': 'pub',
};

export interface OneTime {
  title: string;
  fileName: string;
  text: string;
  /** A private key: Keyhold keeps no copy of this text, so the screen says it is shown once. */
  secret: boolean;
}

/** Ed25519 has no traditional PEM form (PKCS#1/SEC1 cover RSA and EC only): offer PKCS#8 instead. */
export function exportFormatsFor(algorithm: string): (typeof EXPORT_FORMATS)[number][] {
  return EXPORT_FORMATS.filter((f) => !(f.id === 'pem' && algorithm === 'SSH_ED25519'));
}

/** Public keys (OpenSSH line or RFC 4716 block) are imported as such; anything else is a private key. */
export function looksPublic(text: string): boolean {
  const t = text.trim();
  return /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-)\S* /.test(t) || t.startsWith('---- BEGIN SSH2 PUBLIC KEY ----');
}

export class KeyPairsManager {
  list = $state<KeypairListItem[]>([]);
  selected = $state<KeypairDetail | null>(null);
  oneTime = $state<OneTime | null>(null);
  readonly task = new Task();
  /** The list as shown: search by name or fingerprint. */
  readonly view = new ListView<KeypairListItem>(() => this.list, {
    searchable: (k) => [k.name, k.fingerprint],
    sortBy: { name: (k) => k.name },
    defaultSort: 'name',
  });

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    await this.task.run(() => this.reload());
  }

  async select(name: string): Promise<void> {
    await this.task.run(async () => {
      this.selected = (await this.client.call('listKeypairDetail', { keypair_name: name })).keypair;
    });
  }

  /** Generates a key pair; hosted: the vault keeps the private key (under kps/default), else it is shown once. */
  async generate(name: string, algorithm: KeypairAlgorithm, hosted: boolean): Promise<boolean> {
    const res = await this.task.run(async () => {
      const { keypair } = await this.client.call('createKeypair', {
        keypair: { name, algorithm, ...(hosted ? { key_protection: { encryption: { type: 'default' as const } } } : {}) },
      });
      if (keypair.private_key) this.oneTime = { title: `Private key of ${name}`, fileName: `${name}.pem`, text: keypair.private_key, secret: true };
      await this.reload(name);
      return true;
    });
    return res === true;
  }

  /**
   * Imports a public key, or a private key that the vault will host (PEM, PKCS#8, OpenSSH or PPK
   * text; an encrypted one with its passphrase, which only opens it and is not kept).
   */
  async importText(name: string, text: string, passphrase = ''): Promise<boolean> {
    const body = looksPublic(text)
      ? { name, public_key: text }
      : { name, key_protection: { private_key: text, encryption: { type: 'default' as const }, ...(passphrase ? { passphrase } : {}) } };
    const res = await this.task.run(async () => {
      await this.client.call('createKeypair', { keypair: body });
      await this.reload(name);
      return true;
    });
    return res === true;
  }

  async exportKey(name: string, format: ExportFormat, passphrase: string): Promise<void> {
    await this.task.run(async () => {
      const res = await this.client.call('exportPrivateKey', { keypair: { name }, format, ...(passphrase ? { new_passphrase: passphrase } : {}) });
      if (!('keypair' in res)) return;
      const chosen = EXPORT_FORMATS.find((f) => f.id === format);
      this.oneTime = {
        title: `${name} as ${chosen?.label ?? format}`,
        fileName: `${name}.${FILE_EXTENSIONS[format]}`,
        text: res.keypair.private_key,
        secret: chosen?.private ?? true,
      };
    });
  }

  async describe(name: string, description: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('updateKeypairDescription', { keypair_name: name, keypair: { description } });
      await this.reload(name);
      return true;
    });
    return done === true;
  }

  /** Hosts the private key of a key pair known by its public key only (import-private-key); it must match. */
  async hostPrivateKey(name: string, text: string, passphrase: string): Promise<boolean> {
    const done = await this.task.run(async () => {
      await this.client.call('importPrivateKey', {
        keypair: { name, key_protection: { private_key: text, encryption: { type: 'default' } } },
        ...(passphrase ? { passphrase } : {}),
      });
      await this.reload(name);
      return true;
    });
    return done === true;
  }

  /**
   * Imports several public keys at once (batch-import-keypair, 10 a call): one per line of an
   * authorized_keys-style text, named from the line's comment or `name-N`.
   */
  async importPublicKeys(text: string, prefix: string): Promise<{ imported: string[]; failed: { keypair_name: string; failed_reason: string }[] } | undefined> {
    const lines = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const keypairs = lines.map((line, i) => {
      const comment = line.split(/\s+/)[2] ?? '';
      const fromComment = comment.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
      return { keypair: { name: fromComment || `${prefix}-${i + 1}`, public_key: line } };
    });
    return this.task.run(async () => {
      const imported: string[] = [];
      const failed: { keypair_name: string; failed_reason: string }[] = [];
      // The cloud takes at most 10 a call.
      for (let i = 0; i < keypairs.length; i += 10) {
        const res = await this.client.call('batchImportKeypair', { keypairs: keypairs.slice(i, i + 10) });
        imported.push(...res.succeeded_keypairs.map((k) => k.keypair.name));
        failed.push(...res.failed_keypairs);
      }
      await this.reload();
      return { imported, failed };
    });
  }

  async remove(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('deleteKeypair', { keypair_name: name });
      this.selected = null;
      await this.reload();
    });
  }

  async clearHosted(name: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('clearPrivateKey', { keypair_name: name });
      await this.reload(name);
    });
  }

  dismissOneTime(): void {
    this.oneTime = null;
  }

  private async reload(select?: string): Promise<void> {
    this.list = (await this.client.call('listKeypairs', { limit: 1000 })).keypairs.map((k) => k.keypair);
    this.selected = select ? (await this.client.call('listKeypairDetail', { keypair_name: select })).keypair : this.selected;
  }

  onLock(): void {
    this.list = [];
    this.selected = null;
    this.oneTime = null;
    this.task.error = null;
  }
}
