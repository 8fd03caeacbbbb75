/**
 * Locking the agent when the OS sleeps or locks the session, where the platform tells a plain
 * process. On Linux, systemd-logind announces both on the system bus: the Manager's
 * `PrepareForSleep(true)` before suspend or hibernate, a Session's `Lock()` when the screen is
 * locked (`loginctl lock-session`, desktop lock screens that go through logind). Keyhold has no
 * D-Bus library and adds no native code for this; it reads them through `gdbus monitor` (GLib's
 * tool, present wherever GNOME or GTK is) as a child process, following only signals whose sender
 * owns `org.freedesktop.login1`, a name the system bus lets only logind own. Where gdbus or the
 * system bus is missing, the agent says so in its log and relies on its idle lock. Other
 * platforms: nothing here (docs/agent.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type OsLockEvent = 'sleep' | 'os-lock';

/**
 * The event of one line of `gdbus monitor` output (`<path>: <interface>.<member> <args>`), if it
 * is one the agent locks on. `PrepareForSleep(false)` is the wake-up: not an event.
 */
export function logindEvent(line: string): OsLockEvent | undefined {
  const m = /^(\/org\/freedesktop\/login1\S*): (org\.freedesktop\.login1\.\w+)\.(\w+) (.*)$/.exec(line.trim());
  if (!m) return undefined;
  const [, path, iface, member, args] = m;
  if (path === '/org/freedesktop/login1' && iface === 'org.freedesktop.login1.Manager' && member === 'PrepareForSleep' && args === '(true,)') return 'sleep';
  if (path?.startsWith('/org/freedesktop/login1/session/') && iface === 'org.freedesktop.login1.Session' && member === 'Lock') return 'os-lock';
  return undefined;
}

export interface OsEventWatch {
  stop(): void;
}

/** Watches logind through `gdbus monitor`; `log` hears why it is not watching, if it cannot. */
export function watchOsLockEvents(onEvent: (e: OsLockEvent) => void, log: (line: string) => void, platform: NodeJS.Platform = process.platform): OsEventWatch {
  if (platform !== 'linux') {
    log(`OS sleep and screen lock are not watched on ${platform}: the idle lock applies`);
    return { stop: () => undefined };
  }
  let child: ChildProcess;
  let stopped = false;
  try {
    child = spawn('gdbus', ['monitor', '--system', '--dest', 'org.freedesktop.login1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    log(`OS sleep and screen lock are not watched: ${(e as Error).message}`);
    return { stop: () => undefined };
  }
  let why = '';
  child.on('error', (e) => (why = e.message));
  child.stderr?.on('data', (d: Buffer) => (why = `${why}${d.toString()}`.slice(-500)));
  child.on('close', () => {
    if (!stopped) log(`OS sleep and screen lock are not watched: gdbus monitor ended${why ? `: ${why.trim()}` : ''}; the idle lock applies`);
  });
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = logindEvent(line);
      if (e) onEvent(e);
    });
  }
  // The agent's exit must not wait for the watcher.
  child.unref();
  return {
    stop() {
      stopped = true;
      child.kill();
    },
  };
}
