/** Errors in words a user understands: the core's messages are already plain; some codes say more. */
import { NETWORK_ERROR, UiError } from './api.js';

const BY_CODE: Readonly<Record<string, string>> = {
  'VAULT.0101': 'That is not the master password. Check it (and Caps Lock) and try again.',
  'VAULT.0102': 'There is no vault here yet. Create one first.',
  'VAULT.0104': 'A vault already exists here. Unlock it instead.',
  'VAULT.0107': 'The vault is locked. Unlock it to continue.',
  'UI.0401': 'Your session has ended. Unlock the vault again.',
  [NETWORK_ERROR]: 'Keyhold is not reachable. Is `keyhold serve --ui` (or `npm start`) still running?',
  'KEYHOLD.0500': 'Something went wrong inside Keyhold. Nothing was changed by the failed step; try again.',
  'KPS.1002': 'This private key is protected by a passphrase. Type it in “Passphrase of the key file” and import again.',
};

/** The cloud's field names, as the form labels them. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  key_alias: 'Alias',
  key_description: 'Description',
  key_id: 'Key',
  plain_text: 'Plaintext',
  cipher_text: 'Ciphertext',
  new_password: 'New password',
  additional_authenticated_data: 'Additional authenticated data',
};

function withLabels(message: string): string {
  return message.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (f) => (FIELD_LABELS[f] ? `“${FIELD_LABELS[f]}”` : f));
}

export function describeError(e: unknown): string {
  if (!(e instanceof UiError)) return BY_CODE['KEYHOLD.0500'] as string;
  const known = BY_CODE[e.code];
  if (known) return known;
  if (/^(VAULT|AUDIT)\.05/.test(e.code)) return `The vault failed an integrity check: ${e.message} Restore it from a backup made with “vault backup”.`;
  return withLabels(e.message);
}

/** The code shown beside the words: Keyhold's own for its refusals, none for an unknown failure. */
export function codeOf(e: unknown): string | null {
  return e instanceof UiError ? e.code : null;
}
