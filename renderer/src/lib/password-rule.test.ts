import { describe, expect, it } from 'vitest';
import { passwordRule } from './password-rule.js';

describe('the master-password rule shown before submit', () => {
  it('says how many characters are still missing, then that the password is long enough', () => {
    expect(passwordRule('')).toEqual({ met: false, text: 'At least 8 characters.' });
    expect(passwordRule('horse')).toEqual({ met: false, text: 'At least 8 characters: 3 more to go.' });
    expect(passwordRule('horse st')).toEqual({ met: true, text: 'At least 8 characters: long enough.' });
  });

  it('counts characters as the core does (code points), not UTF-16 units', () => {
    // Seven emoji are 14 UTF-16 units but 7 characters: still one short.
    expect(passwordRule('🔑🔑🔑🔑🔑🔑🔑').met).toBe(false);
    expect(passwordRule('🔑🔑🔑🔑🔑🔑🔑🔑').met).toBe(true);
  });
});

describe('the forms refuse what the hint calls short, before any call', () => {
  it('first run and password change count code points too', async () => {
    const { scripted } = await import('../testing/fake-transport.js');
    const { SessionManager } = await import('./session.svelte.js');
    const { SettingsManager } = await import('./settings.svelte.js');
    const { client, calls } = scripted({});
    const short = '🔑🔑🔑🔑🔑🔑🔑';
    const session = new SessionManager(client);
    expect(await session.create(short, short)).toBe(false);
    expect(session.error).toBe('Choose a master password of at least 8 characters.');
    const settings = new SettingsManager(client);
    expect(await settings.changePassword('current one', short, short)).toBe(false);
    expect(settings.task.error).toBe('Choose a master password of at least 8 characters.');
    expect(calls).toEqual([]);
  });
});
