/** The package's version, read from package.json, which sits two directories above this module
 *  both in the sources (electron/cli/) and in the bundle (dist/cli/). */
import { readFileSync } from 'node:fs';

export function keyholdVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
