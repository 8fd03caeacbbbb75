import { describe, expect, it } from 'vitest';
import { isTyping, listSearchIn, shortcutOf, type KeyLike } from './shortcuts.js';

const press = (key: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  typing: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('locks on Ctrl+L or Cmd+L, even while typing', () => {
    expect(shortcutOf(press('l', { ctrlKey: true }))).toBe('lock');
    expect(shortcutOf(press('L', { metaKey: true }))).toBe('lock');
    expect(shortcutOf(press('l', { ctrlKey: true, typing: true }))).toBe('lock');
  });

  it('searches on "/" outside fields and on Ctrl+K or Cmd+K anywhere', () => {
    expect(shortcutOf(press('/'))).toBe('search');
    expect(shortcutOf(press('/', { typing: true }))).toBeNull();
    expect(shortcutOf(press('k', { ctrlKey: true, typing: true }))).toBe('search');
    expect(shortcutOf(press('k', { metaKey: true }))).toBe('search');
  });

  it('leaves other keys and other modifier sets alone', () => {
    expect(shortcutOf(press('l'))).toBeNull();
    expect(shortcutOf(press('k'))).toBeNull();
    expect(shortcutOf(press('l', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(shortcutOf(press('l', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(shortcutOf(press('l', { ctrlKey: true, metaKey: true }))).toBeNull();
    expect(shortcutOf(press('/', { ctrlKey: true }))).toBeNull();
  });

  it('knows a text field from a checkbox or a button', () => {
    const make = (html: string) => {
      const host = document.createElement('div');
      host.innerHTML = html;
      return host.firstElementChild;
    };
    expect(isTyping(make('<input type="text">'))).toBe(true);
    expect(isTyping(make('<input type="search">'))).toBe(true);
    expect(isTyping(make('<input type="password">'))).toBe(true);
    expect(isTyping(make('<textarea></textarea>'))).toBe(true);
    expect(isTyping(make('<input type="checkbox">'))).toBe(false);
    expect(isTyping(make('<button>Lock</button>'))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });

  it('finds the list search on the screen, or none', () => {
    const main = document.createElement('main');
    expect(listSearchIn(main)).toBeNull();
    main.innerHTML = '<input id="a" type="text"><input id="s" type="search" data-list-search>';
    expect(listSearchIn(main)?.id).toBe('s');
  });
});
