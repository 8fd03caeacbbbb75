/** Prints a command's result on stdout: in the --output format after --query, or raw text as is. */
import type { ParsedCommand } from './args.js';
import { applyQuery, formatOutput } from './output.js';

/** Text printed as is (help, completion scripts), never reformatted by --output. */
export class RawText {
  constructor(readonly text: string) {}
}

export function printResult(result: unknown, { globals }: ParsedCommand): void {
  if (result === undefined) return;
  if (result instanceof RawText) {
    process.stdout.write(result.text);
    return;
  }
  process.stdout.write(formatOutput(applyQuery(result, globals.query), globals.output ?? 'json'));
}
