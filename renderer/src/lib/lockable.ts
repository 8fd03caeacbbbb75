/**
 * What every manager holding vault data does when the vault locks: forget it (lists, details,
 * revealed values, results, errors naming keys). The app calls it on every manager in
 * lib/managers.ts; a manager cannot enter that registry without it.
 *
 * `onLeave` is for what must not outlive its screen either: a revealed secret or a decrypted
 * text stays on the screen that showed it, never behind it.
 */
export interface Lockable {
  onLock(): void;
  onLeave?(): void;
}
