/**
 * `npm run bench`: every section, or only those named on the command line
 * (`npm run bench -- kms file`). Sections live in test/bench/sections/<name>.ts and export
 * `run(report)`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleReport, type BenchReport } from './harness.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'sections');
const wanted = process.argv.slice(2);
const report = consoleReport();
console.log(`# Keyhold bench — node ${process.version}, medians of alternating rounds, ratios measured in this run`);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const name = basename(file, '.ts');
  if (wanted.length && !wanted.includes(name)) continue;
  const section = (await import(join(dir, file))) as { run(report: BenchReport): Promise<void> };
  await section.run(report);
}
