// `npm start`. The desktop shell (Electron) and web mode arrive with the desktop issue; until
// then this says so plainly and shows the command line, which is fully usable.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/keyhold.mjs', import.meta.url));
console.log('Keyhold: the desktop window is not built yet; the command line below is what works today.');
console.log('Try: npm run -s keyhold -- init   then   npm run -s keyhold -- ops\n');
const r = spawnSync(process.execPath, [bin, '--help'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
