/**
 * `keyhold serve --ui [--host 127.0.0.1] [--port 0]`: web mode. Serves the built renderer and
 * the cloud routes; the vault may be absent or locked at start (the browser creates or unlocks
 * it). Prints one JSON line `{"url","ui"}` once listening; stops on SIGTERM or SIGINT.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { closeOnSignal, listen } from '../server/listen.js';
import { UiServer } from '../server/ui-server.js';
import { Workspace } from '../ui/workspace.js';
import type { ServeOptions } from './serve.js';

export const WEB_REMEMBER_REASON = 'In web mode the vault opens with its master password only; "remember on this device" is a desktop-app feature.';

export const RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

/** `KEYHOLD_WEB_UPLOAD_MIB`: the largest file web mode takes by upload (default: ui-files.ts). */
function uploadLimit(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.KEYHOLD_WEB_UPLOAD_MIB;
  if (raw === undefined || raw === '') return undefined;
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 1 || mib > 1024 * 1024)
    throw new KeyholdError(LocalErrors.BadArgument, `KEYHOLD_WEB_UPLOAD_MIB must be a whole number of MiB from 1 to 1048576 (got ${raw.slice(0, 20)}).`, 400);
  return mib * 1024 * 1024;
}

export async function serveUi(vaultPath: string, opts: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new KeyholdError(LocalErrors.BadArgument, 'The web UI is not built: run `npm run build` first (npm start does it for you).', 400);
  }
  const kdf = env.KEYHOLD_KDF_TARGET_MS ? Number(env.KEYHOLD_KDF_TARGET_MS) : undefined;
  const workspace = new Workspace(vaultPath, {
    transport: 'http',
    keychain: null,
    remember: { supported: false, reason: WEB_REMEMBER_REASON },
    kdfTargetMs: kdf !== undefined && Number.isInteger(kdf) && kdf >= 1 ? kdf : undefined,
  });
  const ui = new UiServer(workspace, {
    staticRoot: RENDERER_DIR,
    scheme: opts.tlsCert ? 'https' : 'http',
    allowHosts: opts.allowHosts,
    uploadLimitBytes: uploadLimit(env),
  });
  const { server, port, url } = await listen(opts, ui.listener);
  ui.listening(opts.host, port);
  process.stdout.write(`${JSON.stringify({ url, ui: `${url}/` })}\n`);
  await closeOnSignal(server, () => workspace.lock('closed').then(() => ui.close()));
}
