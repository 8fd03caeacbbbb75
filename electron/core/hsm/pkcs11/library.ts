/**
 * Loaded PKCS#11 modules, shared by the key stores that use the same one: a module is
 * initialised once per process (a second C_Initialize is an error) and finalised and unloaded
 * when its last user lets go, so a token that went away is looked for afresh on the next load.
 */
import pkcs11js from 'pkcs11js';
import { KeyholdError, LocalErrors } from '../../../../shared/errors.js';
import { checkModulePath } from './module-path.js';

export type Cryptoki = InstanceType<typeof pkcs11js.PKCS11>;

const loaded = new Map<string, { lib: Cryptoki; users: number }>();

/** Checks the path, then loads and initialises the module (or shares the one already loaded). */
export function acquireModule(module: string): { lib: Cryptoki; real: string } {
  const real = checkModulePath(module);
  const have = loaded.get(real);
  if (have) {
    have.users++;
    return { lib: have.lib, real };
  }
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(real);
  } catch {
    throw new KeyholdError(LocalErrors.KeyStoreModuleMissing, `The file ${module} does not load as a PKCS#11 module.`, 503);
  }
  try {
    lib.C_Initialize();
  } catch (e) {
    lib.close();
    // The module is there but cannot reach its tokens or configuration (SoftHSM2 with its token
    // directory gone fails here): the key store is unavailable, not misconfigured.
    throw new KeyholdError(
      LocalErrors.KeyStoreUnavailable,
      `The PKCS#11 module ${module} loaded but failed to initialise (${(e as Error).message}): its tokens or its configuration cannot be reached.`,
      503,
    );
  }
  loaded.set(real, { lib, users: 1 });
  return { lib, real };
}

/** Lets go of a module; the last user finalises and unloads it. Never throws. */
export function releaseModule(real: string): void {
  const have = loaded.get(real);
  if (!have) return;
  if (--have.users > 0) return;
  loaded.delete(real);
  try {
    have.lib.C_Finalize();
  } catch {
    // A module that cannot finalise (its device gone) is unloaded all the same.
  }
  try {
    have.lib.close();
  } catch {
    // Nothing more can be done about a library that will not unload.
  }
}
