/**
 * A point where a loopback server (a remote KMS stand-in, an SSH proxy) stops and waits until
 * the test releases it, so a test can act while an operation is in the middle of its network I/O.
 */
export class Hold {
  /** Resolves when the first caller arrives at the hold. */
  readonly reached: Promise<void>;
  private arrive!: () => void;
  private open!: () => void;
  private readonly gate: Promise<void>;

  constructor() {
    this.reached = new Promise((r) => (this.arrive = r));
    this.gate = new Promise((r) => (this.open = r));
  }

  /** Called by the server: marks the hold reached and waits until it is released. */
  async pass(): Promise<void> {
    this.arrive();
    await this.gate;
  }

  release(): void {
    this.open();
  }

  /** Waits until the hold is reached, runs `meanwhile`, and releases the hold however it ends. */
  async during<T>(meanwhile: () => Promise<T>): Promise<T> {
    await this.reached;
    try {
      return await meanwhile();
    } finally {
      this.release();
    }
  }
}

/** Whether `p` settles within `ms` (a writer that waits for the vault's lock does not). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([
      p.then(
        () => true as const,
        () => true as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
