/**
 * Temporary files a Keyhold process leaves beside the vault when it is killed between creating
 * and renaming them: anchor heads (`<vault>.audit-head.<pid>.<n>.tmp`, audit/anchor.ts) and
 * restore copies (`<vault>.restore-<pid>.tmp`, vault/backup.ts). Opening the vault removes those
 * whose process is gone; a live process's files are its own business and are left alone.
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isLiveProcess } from './processes.js';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Removes the dead processes' temporary files beside `vaultPath`; returns how many. */
export function removeDeadTemps(vaultPath: string): number {
  const base = escapeRegExp(basename(vaultPath));
  const pattern = new RegExp(`^${base}\\.(?:audit-head\\.(\\d+)\\.\\d+|restore-(\\d+))\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dirname(vaultPath));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = pattern.exec(name);
    const pid = Number(m?.[1] ?? m?.[2]);
    if (!m || pid === process.pid || isLiveProcess(pid)) continue;
    rmSync(join(dirname(vaultPath), name), { force: true });
    removed++;
  }
  return removed;
}
