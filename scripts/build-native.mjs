#!/usr/bin/env node
/**
 * Builds Keyhold's one native module, native/gcm (AES-256-GCM into caller buffers for file
 * envelopes), with node-gyp against the running Node's own headers. `npm ci` runs it (the
 * package's install script); `npm run build:native` reruns it by hand.
 *
 * A machine without a C toolchain still gets a working Keyhold: the build failing is reported
 * and the file pipeline uses node:crypto instead (slower). `npm test` checks the module loaded,
 * so a CI or developer machine cannot drift onto the slow path unnoticed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'gcm');

/** npm names its bundled node-gyp for install scripts; by hand, it sits beside npm itself. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout?.trim();
  const bundled = npmCli ? join(npmCli, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '';
  return existsSync(bundled) ? bundled : null;
}

/** Where the running Node keeps its headers (they include OpenSSL's); npm's nodedir setting wins. */
const prefix = resolve(dirname(process.execPath), '..');

/** The running Node's headers: never a download, which fails offline. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

const gyp = nodeGyp();
const headers = nodeDir();
const why = !gyp ? 'node-gyp was not found' : !headers ? `no Node headers under ${join(prefix, 'include', 'node')}` : null;
let ok = false;
if (!why) {
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${headers}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  ok = r.status === 0;
  if (!ok) process.stderr.write(`${r.stdout}${r.stderr}`);
}
if (ok) {
  process.stdout.write('keyhold: built native/gcm (file envelopes use it for AES-256-GCM)\n');
} else {
  process.stderr.write(
    `keyhold: WARNING: native/gcm was not built (${why ?? 'node-gyp failed, output above'}); file envelopes will use node:crypto, about half as fast.\n`,
  );
}
