/**
 * CPU time this process spent (every thread: the main one, workers, libuv's pool), in ms. Tests
 * that must show a refusal does no costly work (no key derivation) measure this rather than the
 * wall clock, which on a shared, loaded machine also counts time spent waiting for a core.
 */
export function cpuClock(): () => number {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
}
