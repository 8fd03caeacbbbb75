/**
 * The app's keyboard shortcuts, decided from the key event alone (App.svelte acts on them):
 * - search: "/" (when not typing in a field) or Ctrl+K / Cmd+K focuses the current list's search;
 * - lock: Ctrl+L / Cmd+L locks the vault, also from inside a field (it is the safe way out).
 * Ctrl is the modifier on Windows and Linux, Cmd (Meta) on macOS; either is taken on any system.
 */
type Shortcut = 'search' | 'lock';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** Whether the key goes to something the user is typing into. */
  typing: boolean;
}

/** Shown beside the controls (aria-keyshortcuts and titles). */
export const SHORTCUT_KEYS: Readonly<Record<Shortcut, { aria: string; label: string }>> = {
  search: { aria: '/ Control+K Meta+K', label: '/ or Ctrl+K' },
  lock: { aria: 'Control+L Meta+L', label: 'Ctrl+L' },
};

export function shortcutOf(e: KeyLike): Shortcut | null {
  if (e.altKey) return null;
  const command = e.ctrlKey !== e.metaKey && !e.shiftKey;
  const key = e.key.toLowerCase();
  if (command && key === 'l') return 'lock';
  if (command && key === 'k') return 'search';
  if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.typing) return 'search';
  return null;
}

/** Whether a key event's target takes text (so "/" is a character there, not a shortcut). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}

/** The search box of the list on screen (ListControls marks it), if the screen has one. */
export function listSearchIn(root: ParentNode): HTMLInputElement | null {
  return root.querySelector<HTMLInputElement>('input[data-list-search]');
}
