/**
 * The OS events the CLI agent locks on (Linux, systemd-logind through `gdbus monitor`): lines as
 * gdbus prints signals (`<object path>: <interface>.<member> <GVariant text>`, gdbus-tool's
 * monitor output) become `sleep` or `os-lock`; the wake-up and everything else do not.
 */
import { describe, expect, it } from 'vitest';
import { logindEvent, watchOsLockEvents } from '../../../electron/agent/os-events.js';

describe('logind events from gdbus monitor', () => {
  it('PrepareForSleep(true) is sleep; a session Lock is os-lock', () => {
    expect(logindEvent('/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (true,)')).toBe('sleep');
    expect(logindEvent('/org/freedesktop/login1/session/_32: org.freedesktop.login1.Session.Lock ()')).toBe('os-lock');
    expect(logindEvent('/org/freedesktop/login1/session/auto: org.freedesktop.login1.Session.Lock ()\n')).toBe('os-lock');
  });

  it('the wake-up, unlocks, property changes and lookalikes are not events', () => {
    for (const line of [
      '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (false,)',
      '/org/freedesktop/login1/session/_32: org.freedesktop.login1.Session.Unlock ()',
      "/org/freedesktop/login1/session/_32: org.freedesktop.DBus.Properties.PropertiesChanged ('org.freedesktop.login1.Session', {'LockedHint': <true>}, @as [])",
      '/org/freedesktop/login1: org.freedesktop.login1.Session.Lock ()',
      '/org/example: org.freedesktop.login1.Manager.PrepareForSleep (true,)',
      'The name org.freedesktop.login1 does not have an owner',
      '',
    ])
      expect(logindEvent(line), line).toBeUndefined();
  });

  it('says in the log when it cannot watch, and never throws', async () => {
    const lines: string[] = [];
    watchOsLockEvents(
      () => undefined,
      (l) => lines.push(l),
      'darwin',
    ).stop();
    expect(lines[0]).toContain('not watched on darwin');
    // A system bus that is not there: gdbus monitor ends (or is missing), and the log says why.
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = 'unix:path=/nonexistent/keyhold-test-bus';
    const w = watchOsLockEvents(
      () => undefined,
      (l) => lines.push(l),
      'linux',
    );
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    const until = Date.now() + 20_000;
    while (lines.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    w.stop();
    expect(lines[1]).toMatch(/not watched: (gdbus monitor ended|spawn gdbus ENOENT)/);
  });
});
