// The check a PKCS#11 module passes before it is loaded (docs/hsm.md): each hostile layout is
// refused with its code before any library code could run; a safe file resolves to its real path.
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModulePath } from '../../../electron/core/hsm/pkcs11/module-path.js';
import { KeyholdError } from '../../../shared/errors.js';
import { tempDir } from '../../helpers/vault.js';

function codeOf(path: string): string {
  try {
    checkModulePath(path);
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(KeyholdError);
    return (e as KeyholdError).code;
  }
}

function moduleFile(dir: string, name = 'mod.so', mode = 0o755): string {
  const p = join(dir, name);
  writeFileSync(p, 'stand-in: never loaded by this test');
  chmodSync(p, mode);
  return p;
}

describe('PKCS#11 module path check', () => {
  it('accepts a file only its owner can change, in directories only their owners can change, and returns its real path', () => {
    const dir = tempDir();
    const p = moduleFile(dir);
    expect(checkModulePath(p)).toBe(realpathSync(p));
  });

  it('refuses a relative path (KEYHOLD.0601) and reports a missing one as KEYHOLD.0602', () => {
    expect(codeOf('lib/mod.so')).toBe('KEYHOLD.0601');
    expect(codeOf(join(tempDir(), 'absent.so'))).toBe('KEYHOLD.0602');
  });

  it('refuses a directory and a file writable by group or others', () => {
    const dir = tempDir();
    expect(codeOf(dir)).toBe('KEYHOLD.0601');
    expect(codeOf(moduleFile(dir, 'group.so', 0o775))).toBe('KEYHOLD.0601');
    expect(codeOf(moduleFile(dir, 'world.so', 0o757))).toBe('KEYHOLD.0601');
  });

  it('refuses a safe file inside a directory others can write to (they could swap it)', () => {
    const dir = tempDir();
    const open = join(dir, 'open');
    mkdirSync(open);
    const p = moduleFile(open);
    chmodSync(open, 0o777);
    expect(codeOf(p)).toBe('KEYHOLD.0601');
  });

  it('refuses a symlink whose target sits in a writable directory, and a symlink in a writable directory', () => {
    const dir = tempDir();
    const open = join(dir, 'open');
    mkdirSync(open);
    const target = moduleFile(open);
    chmodSync(open, 0o777);
    symlinkSync(target, join(dir, 'link.so'));
    expect(codeOf(join(dir, 'link.so'))).toBe('KEYHOLD.0601');

    const safe = moduleFile(dir, 'safe.so');
    const open2 = join(dir, 'open2');
    mkdirSync(open2);
    symlinkSync(safe, join(open2, 'link.so'));
    chmodSync(open2, 0o777);
    expect(codeOf(join(open2, 'link.so'))).toBe('KEYHOLD.0601');
  });

  it('refuses a dangling symlink as missing (KEYHOLD.0602)', () => {
    const dir = tempDir();
    symlinkSync(join(dir, 'nowhere.so'), join(dir, 'dangling.so'));
    expect(codeOf(join(dir, 'dangling.so'))).toBe('KEYHOLD.0602');
  });
});
