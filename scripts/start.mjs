// `npm start`: builds the app, then runs the Electron desktop app when Electron can start here,
// otherwise web mode (`keyhold serve --ui`: the same UI in your browser), and says which.
// KEYHOLD_WEB=1 asks for web mode; KEYHOLD_PORT picks its port (default: any free one).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Why Electron cannot start here, or null when it can (its binary is fetched on first use). */
function electronUnavailable() {
  if (process.env.KEYHOLD_WEB === '1') return 'KEYHOLD_WEB=1 asks for web mode';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no graphical display (DISPLAY / WAYLAND_DISPLAY unset)';
  // require('electron') answers the binary's path, downloading it on first use.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (probe.status !== 0 || !probe.stdout) return 'the Electron binary is not installed and could not be downloaded';
  return null;
}

function startElectron() {
  console.log('Keyhold: starting the desktop app (Electron).');
  const child = spawn(require('electron'), ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

function openBrowser(url) {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  spawn(opener, [url], { stdio: 'ignore', detached: true })
    .on('error', () => undefined)
    .unref();
}

function startWeb(reason) {
  console.log(`Keyhold: web mode, because ${reason}.`);
  const args = ['bin/keyhold.mjs', 'serve', '--ui', '--port', process.env.KEYHOLD_PORT ?? '0'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    const { ui } = JSON.parse(buf.slice(0, nl));
    console.log(`Keyhold: open ${ui} in your browser (Ctrl+C stops the server and locks the vault).`);
    openBrowser(ui);
    child.stdout.removeAllListeners('data');
    child.stdout.pipe(process.stdout);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
run(process.execPath, ['scripts/build-electron.mjs']);
const reason = electronUnavailable();
if (reason) startWeb(reason);
else startElectron();
