/**
 * The words of the CLI's own commands (commands.ts), light enough for the fast path
 * (fast-path.ts) to know, without loading the core, that a command is not a plain operation.
 * test/unit/cli-fast-path.test.ts holds this list equal to commands.ts's table.
 */
export const COMMAND_WORDS: readonly (readonly string[])[] = [
  ['help'],
  ['ops'],
  ['completion'],
  ['init'],
  ['serve'],
  ['vault', 'restore'],
  ['vault', 'remember'],
  ['vault', 'forget'],
  ['agent'],
  ['remote', 'add'],
];

/** Whether `words` starts with one of the CLI's own commands. */
export function isCliCommand(words: readonly string[]): boolean {
  return COMMAND_WORDS.some((c) => c.every((w, i) => words[i] === w));
}
