/**
 * KPS operations: the cloud's key-pair API (create/import, list, show, describe, delete,
 * host/export/clear the private key) and the local file operations (inspect, convert,
 * windows-password). Private keys that are not hosted are returned once and never stored.
 */
import { networkFirst, type Handlers } from '../../../shared/operations/index.js';
import type { CreatedKeypair, kpsOperations } from '../../../shared/operations/kps.js';
import type { KmsContext } from '../kms/context.js';
import { KpsErrors, kpsError } from './errors.js';
import { readKeyFile, writeKeyFile } from './files.js';
import { isPrivateFormat, readKey, readPrivateKey, writeKey, type FormatName, type ParsedKey } from './formats/index.js';
import { algorithmOf, generateKey, type KeypairAlgorithm } from './generate.js';
import { inspectOf } from './inspect.js';
import { openSshLine, publicOf, sameBlob, sha256Fingerprint, type PrivateKey, type PublicKey } from './key.js';
import { findKeypair, getKeypair, KEYPAIR_TABLE, sealPrivateKey, unsealPrivateKey, type KeypairRecord, type Protection } from './records.js';
import { decodeBlob, decryptWindowsPassword } from './windows-password.js';

interface CreateBody {
  name: string;
  type: 'ssh' | 'x509';
  public_key?: string;
  scope: 'user' | 'domain';
  user_id?: string;
  key_protection?: { private_key?: string; encryption: Protection; passphrase?: string };
  algorithm: KeypairAlgorithm;
}

/** Reads a public key given as text in any public or private format; the result is one line. */
async function publicFromText(text: string): Promise<{ key: PublicKey; comment: string }> {
  const parsed = await readKey(text);
  return { key: parsed.publicKey, comment: parsed.comment };
}

function nextId(ctx: KmsContext): number {
  return ctx.store.list<KeypairRecord>(KEYPAIR_TABLE).reduce((max, k) => Math.max(max, k.id), 0) + 1;
}

type KeyToWrite = { publicKey: PublicKey; privateKey?: PrivateKey };

/** The key written in `format`, with the inspect of what the text really holds (read back, not assumed). */
async function written(format: FormatName, key: KeyToWrite, comment: string, passphrase: string | undefined) {
  const text = await writeKey(format, key, { comment, passphrase });
  return { text, inspect: inspectOf(await readKey(text, passphrase)) };
}

async function writeOut(path: string, format: FormatName, key: KeyToWrite, comment: string, passphrase: string | undefined, force = false) {
  const { text, inspect } = await written(format, key, comment, passphrase);
  writeKeyFile(path, text, isPrivateFormat(format), force);
  return inspect;
}

/** What a create or import needs that costs time: the key read (its KDF) or generated. */
interface Prepared {
  publicKey: PublicKey;
  comment: string;
  privateKey?: PrivateKey;
  /** A generated key that is not hosted: shown once in the response as PEM, never stored. */
  shownOnce?: string;
}

/**
 * The slow part of a create, run before the write transaction (see `kpsHandlers`): reading a
 * given private key (its passphrase KDF) or generating one. Fails early on a taken name.
 */
async function prepareOne(ctx: KmsContext, body: CreateBody): Promise<Prepared> {
  if (findKeypair(ctx, body.name)) throw kpsError(KpsErrors.AlreadyExists, `Key pair '${body.name}' already exists.`);
  if (body.key_protection?.private_key) {
    const parsed = await readPrivateKey(body.key_protection.private_key, body.key_protection.passphrase);
    const publicKey = publicOf(parsed.privateKey);
    if (body.public_key && !sameBlob((await publicFromText(body.public_key)).key, publicKey)) {
      throw kpsError(KpsErrors.KeyMismatch, 'The private key does not belong to public_key.');
    }
    return { publicKey, comment: parsed.comment, privateKey: parsed.privateKey };
  }
  if (body.public_key) {
    const { key, comment } = await publicFromText(body.public_key);
    return { publicKey: key, comment };
  }
  const privateKey = await generateKey(body.algorithm);
  const publicKey = publicOf(privateKey);
  if (body.key_protection) return { publicKey, comment: '', privateKey };
  return { publicKey, comment: '', privateKey, shownOnce: await writeKey('pem', { publicKey, privateKey }, { comment: '' }) };
}

/** The write of a create, in the transaction: the name is checked again (another writer may have taken it). */
async function commitOne(ctx: KmsContext, body: CreateBody, prepared: Prepared): Promise<CreatedKeypair> {
  if (findKeypair(ctx, body.name)) throw kpsError(KpsErrors.AlreadyExists, `Key pair '${body.name}' already exists.`);
  const { publicKey, comment, privateKey } = prepared;
  const now = ctx.now();
  const userId = body.user_id ?? ctx.domain.domain_id;
  const record: KeypairRecord = {
    name: body.name,
    id: nextId(ctx),
    type: body.type,
    scope: body.scope,
    public_key: openSshLine(publicKey, comment),
    key_type: publicKey.type,
    algorithm: algorithmOf(publicKey),
    fingerprint: sha256Fingerprint(publicKey),
    description: '',
    user_id: userId,
    create_time: now,
    update_time: now,
    private_key: privateKey && body.key_protection ? await sealPrivateKey(ctx, body.name, privateKey, comment, body.key_protection.encryption) : null,
  };
  ctx.store.put(KEYPAIR_TABLE, record.name, record);
  const out: CreatedKeypair = { name: record.name, type: record.type, public_key: record.public_key, fingerprint: record.fingerprint, user_id: userId };
  if (prepared.shownOnce) out.private_key = prepared.shownOnce;
  return out;
}

type Outcome<T> = { ok: T } | { failed: string };

/** A KeyholdError becomes a per-item failure (batch import); anything else is thrown. */
async function outcomeOf<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await work() };
  } catch (e) {
    if (!(e instanceof Error && e.name === 'KeyholdError')) throw e;
    return { failed: e.message };
  }
}

/**
 * The key file of a call: by path (`in`, the CLI; a dialog's token over IPC) or by content
 * (`key_text`, what the app sends in web mode). Exactly one; either way the same readers run.
 */
function keyFileOf(input: { in?: string; key_text?: string }): Buffer | string {
  if (input.in !== undefined && input.key_text !== undefined)
    throw kpsError(KpsErrors.Invalid, 'Invalid parameter key_text: give the key file by path (in) or by content (key_text), not both.');
  if (input.in !== undefined) return readKeyFile(input.in);
  if (input.key_text !== undefined) return input.key_text;
  throw kpsError(KpsErrors.Missing, 'Missing parameter: in (a key file) or key_text (its content) is required.');
}

/**
 * Where the private key a Windows password is decrypted with comes from: a file, a key's
 * content or a hosted key pair, exactly one (checked at once; the key is read when called).
 */
function windowsKeySource(
  ctx: KmsContext,
  input: { private_key?: string; private_key_text?: string; keypair_name?: string; passphrase?: string },
): () => Promise<PrivateKey> {
  const given = [input.private_key, input.private_key_text, input.keypair_name].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw kpsError(KpsErrors.Invalid, 'Give exactly one of private_key (a file), private_key_text (its content) and keypair_name (a hosted key pair).');
  }
  const { keypair_name: name, private_key: path } = input;
  if (name !== undefined) return async () => (await readPrivateKey(unsealPrivateKey(ctx, getKeypair(ctx, name)))).privateKey;
  return async () => (await readPrivateKey(path !== undefined ? readKeyFile(path) : (input.private_key_text as string), input.passphrase)).privateKey;
}

export const kpsHandlers: Handlers<typeof kpsOperations, KmsContext> = {
  async kpsInspect(_ctx, input) {
    return inspectOf(await readKey(keyFileOf(input), input.passphrase));
  },

  async kpsConvert(_ctx, input) {
    if (input.no_passphrase && input.new_passphrase !== undefined) throw kpsError(KpsErrors.Invalid, 'Give at most one of new_passphrase and no_passphrase.');
    if (input.new_passphrase === '')
      throw kpsError(KpsErrors.Invalid, 'Invalid parameter new_passphrase: it is empty; give --no-passphrase to write the key unencrypted.');
    const file = keyFileOf(input);
    const parsed: ParsedKey = isPrivateFormat(input.to) ? await readPrivateKey(file, input.passphrase) : await readKey(file, input.passphrase);
    // As puttygen does, the output keeps the input's passphrase unless told otherwise: a
    // conversion never silently writes a protected key in clear (re-encrypted in the target
    // format's own scheme: PPK v3 Argon2id, OpenSSH bcrypt, PKCS#8 PBES2).
    const passphrase = input.no_passphrase ? undefined : (input.new_passphrase ?? (parsed.encrypted ? input.passphrase : undefined));
    const comment = input.comment ?? parsed.comment;
    if (input.out !== undefined) return writeOut(input.out, input.to, parsed, comment, passphrase, input.force === true);
    // By content: the text comes back, with the inspect of what it holds.
    const { text, inspect } = await written(input.to, parsed, comment, passphrase);
    return { ...inspect, key_text: text };
  },

  async kpsWindowsPassword(ctx, input) {
    const key = windowsKeySource(ctx, input);
    const blob = decodeBlob(input.password_blob);
    return { password: decryptWindowsPassword(await key(), blob) };
  },

  // Create and import are network-first (shared/operations/phases.ts) although they touch no
  // network: a key generation (RSA-4096 takes seconds) and a key file's passphrase KDF run before
  // the write transaction, on libuv's pool or the KDF thread, so neither other writers nor the
  // group commit of read-only calls wait for them. The commit re-checks the name and writes.
  createKeypair: networkFirst({
    network: (ctx, input) => prepareOne(ctx, input.keypair),
    async commit(ctx, input, prepared) {
      return { keypair: await commitOne(ctx, input.keypair, prepared) };
    },
  }),

  batchImportKeypair: networkFirst({
    async network(ctx, input) {
      const prepared: Outcome<Prepared>[] = [];
      for (const { keypair } of input.keypairs) {
        prepared.push(keypair.public_key ? await outcomeOf(() => prepareOne(ctx, keypair)) : { failed: 'public_key is required for an import.' });
      }
      return prepared;
    },
    async commit(ctx, input, prepared) {
      const succeeded: { keypair: CreatedKeypair }[] = [];
      const failed: { keypair_name: string; failed_reason: string }[] = [];
      for (const [i, { keypair }] of input.keypairs.entries()) {
        const p = prepared[i] as Outcome<Prepared>;
        const done = 'ok' in p ? await outcomeOf(() => commitOne(ctx, keypair, p.ok)) : p;
        if ('ok' in done) succeeded.push({ keypair: done.ok });
        else failed.push({ keypair_name: keypair.name, failed_reason: done.failed });
      }
      return { succeeded_keypairs: succeeded, failed_keypairs: failed };
    },
  }),

  listKeypairs(ctx, input) {
    const all = ctx.store.list<KeypairRecord>(KEYPAIR_TABLE).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const start = input.marker === undefined ? 0 : all.findIndex((k) => k.name > (input.marker as string));
    const page = start < 0 ? [] : all.slice(start, start + input.limit);
    const more = start >= 0 && start + page.length < all.length;
    return {
      keypairs: page.map((k) => ({
        keypair: {
          name: k.name,
          type: k.type,
          scope: k.scope,
          public_key: k.public_key,
          fingerprint: k.fingerprint,
          is_key_protection: k.private_key !== null,
          frozen_state: '0',
        },
      })),
      page_info: {
        ...(more ? { next_marker: page[page.length - 1]?.name } : {}),
        ...(input.marker ? { previous_marker: input.marker } : {}),
        current_count: page.length,
      },
    };
  },

  listKeypairDetail(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    return {
      keypair: {
        name: k.name,
        id: k.id,
        type: k.type,
        scope: k.scope,
        public_key: k.public_key,
        fingerprint: k.fingerprint,
        is_key_protection: k.private_key !== null,
        deleted: false,
        description: k.description,
        user_id: k.user_id,
        key_id: k.private_key?.key_id ?? '',
        algorithm: k.algorithm,
        create_time: k.create_time,
        delete_time: 0,
        update_time: k.update_time,
        frozen_state: 0,
      },
    };
  },

  updateKeypairDescription(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    ctx.store.put(KEYPAIR_TABLE, k.name, { ...k, description: input.keypair.description, update_time: ctx.now() });
    return {};
  },

  deleteKeypair(ctx, input) {
    getKeypair(ctx, input.keypair_name);
    ctx.store.delete(KEYPAIR_TABLE, input.keypair_name);
    return {};
  },

  // Network-first for the file's passphrase KDF, as createKeypair.
  importPrivateKey: networkFirst({
    async network(ctx, input) {
      getKeypair(ctx, input.keypair.name);
      return (await readPrivateKey(input.keypair.key_protection.private_key, input.passphrase)).privateKey;
    },
    async commit(ctx, input, privateKey) {
      const k = getKeypair(ctx, input.keypair.name);
      const stored = await publicFromText(k.public_key);
      if (!sameBlob(stored.key, privateKey)) throw kpsError(KpsErrors.KeyMismatch, `The private key does not belong to key pair '${k.name}'.`);
      const sealed = await sealPrivateKey(ctx, k.name, privateKey, stored.comment, input.keypair.key_protection.encryption);
      ctx.store.put(KEYPAIR_TABLE, k.name, { ...k, private_key: sealed, update_time: ctx.now() });
      return { keypair: { name: k.name, type: k.type, public_key: k.public_key, fingerprint: k.fingerprint, user_id: input.keypair.user_id ?? k.user_id } };
    },
  }),

  async exportPrivateKey(ctx, input) {
    const k = getKeypair(ctx, input.keypair.name);
    const hosted = await readPrivateKey(unsealPrivateKey(ctx, k));
    const format = input.format ?? 'pem';
    const passphrase = input.new_passphrase || undefined;
    if (input.out) return writeOut(input.out, format, hosted, hosted.comment, passphrase, input.force === true);
    return { keypair: { name: k.name, private_key: await writeKey(format, hosted, { comment: hosted.comment, passphrase }) } };
  },

  clearPrivateKey(ctx, input) {
    const k = getKeypair(ctx, input.keypair_name);
    if (!k.private_key) throw kpsError(KpsErrors.NoPrivateKey, `Key pair '${k.name}' has no hosted private key.`);
    ctx.store.put(KEYPAIR_TABLE, k.name, { ...k, private_key: null, update_time: ctx.now() });
    return {};
  },
};
