/**
 * One line of meaning and one example value for the request fields whose declaration carries no
 * description, for `keyhold SERVICE OP --help`. Types, required-ness, allowed values and limits
 * come from the schema itself (help.ts); only what a schema cannot say is written here, in the
 * words of the cloud's API reference. A field whose meaning differs by service is keyed
 * `service.field`; otherwise by its name alone.
 */
export interface FieldDoc {
  description: string;
  example?: string;
}

const KEY_ID = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';
const BASE64 = 'aGVsbG8gd29ybGQ=';

const DOCS: Readonly<Record<string, FieldDoc>> = {
  key_alias: { description: "The key's alias: a name you choose for it.", example: 'payments-db' },
  keystore_alias: { description: 'A name you choose for the key store (a PKCS#11 token, docs/hsm.md).', example: 'softhsm-dev' },
  keystore_type: { description: 'What backs the key store: PKCS11 (a token reached through a PKCS#11 module).', example: 'PKCS11' },
  keystore_id: { description: "The key store's id, as list-key-stores shows it.", example: '6b0e2f57-2a49-4a8e-9d8a-34c0d5a0f1e2' },
  keep: { description: 'Which side of a conflict wins: local or remote; the next sync writes it on the other side as new versions.', example: 'local' },
  key_spec: {
    description:
      "The key's algorithm and size; AES_256 for symmetric encryption, RSA_*/EC_*/SECP256K1 for asymmetric, HMAC_* for MACs. For data keys, the data key's algorithm.",
    example: 'AES_256',
  },
  key_usage: {
    description: 'What the key may be used for; it must fit the key spec (encrypt for AES/RSA, sign for RSA/EC, MACs for HMAC).',
    example: 'ENCRYPT_DECRYPT',
  },
  key_description: { description: 'Free text describing the key.', example: 'encrypts the payments database' },
  origin: {
    description:
      'Where the key material comes from: made by Keyhold (kms), or imported later (external) with get-parameters-for-import and import-key-material.',
  },
  enterprise_project_id: { description: "The cloud's enterprise project; recorded and returned, not otherwise used locally.", example: '0' },
  sequence: { description: "A caller's request id (36 bytes at most), echoed for tracing as the cloud does.", example: '919c82d4-8046-4722-9094-35c3c6524cff' },
  key_id: { description: "The key's id (a UUID, as `kms list-keys` shows them).", example: KEY_ID },
  kms_key_id: { description: "The KMS key (id) that encrypts the secret's values; the default secret key if absent.", example: KEY_ID },
  limit: { description: 'The most entries to return on this page.', example: '10' },
  marker: { description: 'Where the page starts: the next_marker of the previous page.', example: '10' },
  offset: { description: 'How many entries to skip before this page.', example: '0' },
  key_state: { description: 'Only keys in this state: 1 pending activation, 2 enabled, 3 disabled, 4 pending deletion, 5 pending import.', example: '2' },
  pending_days: { description: 'Days until the key is deleted (7 to 1096); cancel-key-deletion stops it meanwhile.', example: '7' },
  cmk_quota: { description: 'The most customer master keys the vault may hold.', example: '100' },
  plain_text: { description: 'The data to encrypt (4096 bytes at most); for encrypt-datakey the data key in hex.', example: 'hello' },
  encryption_algorithm: { description: 'SYMMETRIC_DEFAULT for AES and SM4 keys; for RSA keys the OAEP padding, for SM2 keys SM2_ENCRYPT.' },
  additional_authenticated_data: {
    description: 'Authenticated but unencrypted data bound to the ciphertext; decryption needs the same value.',
    example: 'order-42',
  },
  encryption_context: { description: 'JSON object of string pairs bound to the ciphertext; decryption needs the same one.', example: '{"purpose":"backup"}' },
  cipher_text: { description: 'The ciphertext as an encrypt call returned it (base64; it names the key itself).' },
  datakey_length: { description: "The data key's length in bits (when key_spec is not given).", example: '256' },
  datakey_plain_length: { description: "The plaintext data key's length in bytes.", example: '32' },
  datakey_cipher_length: { description: "The encrypted data key's length in bytes.", example: '64' },
  random_data_length: { description: 'How many random bits to return (a multiple of 8, 8 to 8192).', example: '256' },
  message: { description: 'The message (or its digest, with message_type DIGEST), base64-encoded.', example: BASE64 },
  signing_algorithm: {
    description: "The signature scheme; it must fit the key's spec (RSASSA_* for RSA, ECDSA_* for EC and SECP256K1).",
    example: 'ECDSA_SHA_256',
  },
  message_type: { description: 'Whether message is the digest itself (DIGEST) or the data to hash first (RAW).' },
  signature: { description: 'The signature to check, base64, as sign returned it.' },
  mac_algorithm: { description: "The HMAC; it must match the key's spec (HMAC_256 → HMAC_SHA_256 …).", example: 'HMAC_SHA_256' },
  mac: { description: 'The MAC to check, in hex, as generate-mac returned it.' },
  rotation_interval: { description: 'Days between automatic rotations.', example: '365' },
  wrapping_algorithm: { description: "How the key material to import is wrapped with the import token's public key." },
  import_token: { description: 'The token get-parameters-for-import returned, as given.' },
  encrypted_key_material: { description: 'The key material wrapped with the import public key, base64.' },
  expiration_time: { description: 'When the imported material expires, in seconds since the Unix epoch; absent for never.', example: '1893456000' },
  grantee_principal: { description: 'Who receives the grant: a user or account id.', example: '0fc7b3b3a38b4ee7b4d3e3f0f4c2d2a1' },
  retiring_principal: { description: 'Who may retire the grant besides its creator.', example: '0fc7b3b3a38b4ee7b4d3e3f0f4c2d2a1' },
  grantee_principal_type: { description: 'Whether the grantee is a user or a domain (account).' },
  operations: { description: 'JSON array of the operations the grant allows.', example: '["encrypt-data","decrypt-data"]' },
  grant_id: { description: "The grant's id (64 hex digits), as create-grant or list-grants returned it." },
  tag: { description: 'JSON object {"key","value"}: the tag to set on the key.', example: '{"key":"team","value":"payments"}' },
  tags: { description: 'JSON array of {"key","value"} tags.', example: '[{"key":"team","value":"payments"}]' },
  'kms.action': { description: 'create or delete (batch-create-kms-tags); filter or count (list-kms-by-tags).', example: 'create' },
  key: { description: "The tag's key.", example: 'team' },
  matches: {
    description: 'JSON array of {"key","value"} conditions on the key\'s fields (key_alias).',
    example: '[{"key":"resource_name","value":"payments"}]',
  },
  description: { description: 'Free text describing it.', example: 'rotated monthly' },
  secret_string: {
    description: "The secret's value as text (a JSON object when secret_format is JSON); --secret-string-file - reads it from stdin.",
    example: 's3cr3t',
  },
  secret_binary: { description: "The secret's value as base64 bytes (instead of secret_string).", example: BASE64 },
  secret_type: { description: 'The kind of secret; COMMON is the generic one.' },
  auto_rotation: { description: 'Whether the secret is rotated automatically every rotation_period.' },
  rotation_period: { description: 'How often to rotate: a number and a unit d, h, m or s.', example: '30d' },
  event_subscriptions: { description: 'JSON array of (at most one) event name notified for this secret.', example: '["on-rotate"]' },
  event_name: { description: "The secret event's name.", example: 'on-rotate' },
  secret_name: { description: "The secret's name.", example: 'db-password' },
  recovery_window_in_days: { description: 'Days before a scheduled deletion happens; restore-secret cancels it meanwhile.' },
  version_stages: { description: 'JSON array of stage names to put on the new version (SYSCURRENT if absent).', example: '["SYSCURRENT"]' },
  expire_time: { description: 'When the version expires, in milliseconds since the Unix epoch.', example: '1893456000000' },
  version_id: { description: "The version's id (v1, v2 …); show-secret-version also takes latest.", example: 'v1' },
  stage_name: { description: "The stage's name (SYSCURRENT and SYSPREVIOUS are the built-in ones).", example: 'SYSCURRENT' },
  event_types: { description: 'JSON array of the secret events that trigger it.', example: '["SECRET_ROTATED"]' },
  state: { description: 'Whether the event is enabled.' },
  notification: {
    description: 'JSON object {"target_type":"SMN","target_id","target_name"}: where the event is sent (recorded locally; Keyhold sends nothing).',
    example: '{"target_type":"SMN","target_id":"urn:smn:region:project:topic","target_name":"topic"}',
  },
  secret_blob: { description: 'A backup blob as download-secret-blob returned it.' },
  secrets: { description: 'JSON array of secrets to import, each as create-secret takes one.', example: '[{"name":"a","secret_string":"x"}]' },
  length: { description: 'How many characters the password has.' },
  exclude_characters: { description: 'Characters the password must not contain.', example: '"\'\\`' },
  exclude_lowercase: { description: 'Leave out a-z.' },
  exclude_uppercase: { description: 'Leave out A-Z.' },
  exclude_numbers: { description: 'Leave out 0-9.' },
  exclude_punctuation: { description: 'Leave out punctuation.' },
  include_space: { description: 'Allow the space character.' },
  require_each_included_type: { description: 'At least one character of every class not excluded.' },
  operation: { description: 'Only events of this operation (as `service operation`, e.g. "kms create-key").', example: 'kms create-key' },
  access: { description: 'The access key id (AK), as iam create-access-key returned it.', example: 'HST3UT0B4XDJ7WRLK4NE' },
  status: { description: 'Whether the access key may sign requests.' },
  project_id: {
    description: 'The project id at the remote (the cloud console\'s "My Credentials" page, or the one `keyhold serve` prints).',
    example: '0612b2d5e680d5ac2f0dc01b84b9e7b3',
  },
  region: { description: 'The cloud region the remote is in.', example: 'cn-north-4' },
  access_key: {
    description: 'The access key id (AK) used to sign requests to the remote; the secret key is asked for separately.',
    example: 'HST3UT0B4XDJ7WRLK4NE',
  },
  'remote.name': { description: "The remote's name in this vault.", example: 'prod' },
  'kms.name': { description: "The grant's name.", example: 'backup-job' },
  'servers.name': { description: "The server's name in this vault.", example: 'build1' },
  'csms.name': { description: "The secret's (or secret event's) name.", example: 'db-password' },
  service: { description: 'Which service to sync.', example: 'kms' },
  direction: { description: "pull copies the remote's items into the vault; push copies the vault's to the remote." },
  dry_run: { description: 'Report what would change without changing anything.' },
  server_id: { description: 'The cloud server (ECS) id whose Windows password to fetch.', example: 'b1a2c3d4-0000-4000-8000-000000000001' },
  keypair: {
    description: 'JSON object describing the key pair ({"name", "type", "public_key", "scope", "user_id", "key_protection"} as the cloud takes it).',
    example: '{"name":"deploy"}',
  },
  keypairs: {
    description: 'JSON array of {"keypair": {…}} objects, as import-keypair takes each.',
    example: '[{"keypair":{"name":"a","public_key":"ssh-ed25519 AAAA…"}}]',
  },
  keypair_name: { description: "The key pair's name.", example: 'deploy' },
  host: { description: "The server's host name or IP address.", example: 'build1.example.internal' },
  port: { description: "The server's SSH port." },
  user: { description: 'The user to log in as.', example: 'deploy' },
  notes: { description: 'Free text about the server.', example: 'CI runner' },
  id: { description: "The server's id, as servers add or servers list returned it.", example: 'e5c1d2a0-1b2c-4d3e-8f40-0123456789ab' },
  sshd_config: { description: 'The sshd configuration file on the server (read when password login is to be disabled).', example: '/etc/ssh/sshd_config' },
  accept_new: { description: 'Replace a pinned host key that changed with the one presented now (after checking it: scan-host-key).' },
  server: {
    description: 'JSON object {"id", "auth": {…}}: the server (from `keyhold servers`) and how to log in to it.',
    example: '{"id":"e5c1d2a0-1b2c-4d3e-8f40-0123456789ab","auth":{"type":"keypair"}}',
  },
  batch_keypairs: { description: 'JSON array of {"keypair_name", "server"} pairs, as associate-keypair takes each.' },
  task_id: { description: "The binding task's id, as associate-keypair returned it.", example: 'a6c1d2a0-1b2c-4d3e-8f40-0123456789ab' },
};

/** Every key of the glossary, so a test can hold it to fields that exist. */
export function documentedFields(): string[] {
  return Object.keys(DOCS);
}

export function fieldDoc(field: string, service?: string): FieldDoc | undefined {
  return (service !== undefined ? DOCS[`${service}.${field}`] : undefined) ?? DOCS[field];
}
