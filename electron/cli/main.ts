/**
 * The `keyhold` command line's entry. A plain operation on a vault an agent serves goes there
 * first, before the core is loaded (fast-path.ts, docs/agent.md); everything else, and that call
 * when no agent answers, runs in the full CLI (full.ts), loaded only then.
 */
import { quietOnClosedStdout } from './exit.js';
import { runThroughAgentFast } from './fast-path.js';

// `npm run keyhold` runs in the project root; relative paths (--in, --out, --vault) mean the
// directory the user typed the command in, which npm passes as INIT_CWD.
if (process.env.npm_lifecycle_event === 'keyhold' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

quietOnClosedStdout();
const argv = process.argv.slice(2);
if (!(await runThroughAgentFast(argv))) await (await import('./full.js')).runFullCli(argv);
