// Web mode's login throttle on a fake clock: free tries, then doubling waits, a lockout after
// enough failures, per client and for the server as a whole; parallel attempts are counted.
import { describe, expect, it } from 'vitest';
import { CLIENT_POLICY, GLOBAL_POLICY, LoginThrottle, waitAfter } from '../../../electron/server/ui-throttle.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const refused = (f: () => void) => expect(f).toThrow(expect.objectContaining({ code: 'UI.0429', status: 429 }));

describe('login throttle', () => {
  it('waits grow with failures and cap; the lockout lasts the window', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((f) => waitAfter(CLIENT_POLICY, f))).toEqual([0, 0, 1_000, 2_000, 4_000, 8_000, 60_000]);
    expect(waitAfter(CLIENT_POLICY, CLIENT_POLICY.lockoutAfter)).toBe(CLIENT_POLICY.windowMs);
  });

  it('refuses a client that fails again before its wait is over, and lets it try after', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 3; i++) t.begin('a');
    refused(() => t.begin('a'));
    c.advance(999);
    refused(() => t.begin('a'));
    c.advance(1);
    t.begin('a');
    refused(() => t.begin('a'));
    c.advance(2_000);
    t.begin('a');
    // Another client is not held up by a's failures.
    t.begin('b');
  });

  it('an attempt without a password verdict gives back its slot but never clears the failures before it', () => {
    // The attack: three wrong guesses, then a call without a password (VAULT.0106) between
    // guesses, which used to count as a success and grant three more free guesses every time.
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 3; i++) t.begin('a');
    c.advance(1_000);
    t.begin('a');
    t.released('a');
    refused(() => t.begin('a'));
    c.advance(1_000);
    t.begin('a');
    refused(() => t.begin('a'));
  });

  it('counts attempts in flight: a burst cannot get past the free tries at once', () => {
    const t = new LoginThrottle(clock().now);
    const results = Array.from({ length: 20 }, () => {
      try {
        t.begin('burst');
        return 'taken';
      } catch {
        return 'refused';
      }
    });
    expect(results.filter((r) => r === 'taken')).toHaveLength(3);
  });

  it('locks a client out after 10 failures for the whole window, even for the right password', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < CLIENT_POLICY.lockoutAfter; i++) {
      c.advance(60_000);
      t.begin('a');
    }
    c.advance(CLIENT_POLICY.windowMs - 1);
    expect(() => t.begin('a')).toThrow(/locked/);
    c.advance(1);
    t.begin('a');
  });

  it('a success clears the client', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 3; i++) t.begin('a');
    c.advance(1_000);
    t.begin('a');
    t.succeeded('a');
    for (let i = 0; i < 3; i++) t.begin('a');
  });

  it('many clients failing slow everyone down: the global count', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < GLOBAL_POLICY.freeFailures; i++) t.begin(`client-${i}`);
    refused(() => t.begin('fresh-client'));
    c.advance(1_000);
    t.begin('fresh-client');
  });
});
