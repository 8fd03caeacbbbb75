/**
 * Benchmark harness: each section measures Keyhold and a baseline in the same run and prints
 * medians and their ratio, because machines here are shared and noisy (never absolute goals).
 */
export interface Measurement {
  name: string;
  unit: string;
  keyhold: number;
  baseline: number;
  baselineName: string;
  /** Higher is better for ops/s and MB/s; the ratio is keyhold / baseline. */
  goal?: number;
}

export interface BenchReport {
  section(title: string): void;
  ratio(m: Measurement): void;
  value(name: string, value: number, unit: string): void;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Runs `fn` (which performs `batch` operations) for about `ms`, `rounds` times; median ops/s. */
export async function opsPerSecond(fn: () => Promise<void> | void, batch: number, opts: { rounds?: number; ms?: number } = {}): Promise<number> {
  const rounds = opts.rounds ?? 5;
  const ms = opts.ms ?? 300;
  for (let i = 0; i < 3; i++) await fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await fn();
      n += batch;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

/** Alternates Keyhold and baseline rounds so drift on a shared machine hits both alike. */
export async function compare(
  keyhold: () => Promise<void> | void,
  baseline: () => Promise<void> | void,
  batch: number,
  rounds = 5,
): Promise<{ keyhold: number; baseline: number }> {
  const k: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    k.push(await opsPerSecond(keyhold, batch, { rounds: 1 }));
    b.push(await opsPerSecond(baseline, batch, { rounds: 1 }));
  }
  return { keyhold: median(k), baseline: median(b) };
}

export function consoleReport(): BenchReport {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  return {
    section: (title) => console.log(`\n## ${title}`),
    ratio: (m) => {
      const ratio = m.keyhold / m.baseline;
      const verdict = m.goal === undefined ? '' : ratio >= m.goal ? `  (goal ≥ ${m.goal}×: met)` : `  (goal ≥ ${m.goal}×: NOT met)`;
      console.log(`${m.name}: keyhold ${fmt(m.keyhold)} ${m.unit}, ${m.baselineName} ${fmt(m.baseline)} ${m.unit}, ratio ${ratio.toFixed(2)}×${verdict}`);
    },
    value: (name, value, unit) => console.log(`${name}: ${fmt(value)} ${unit}`),
  };
}
