// The CLI's hooks for file jobs: a bar on a terminal only, and Ctrl-C as cancellation.
import { describe, expect, it } from 'vitest';
import { fileJobHooks } from '../../../electron/cli/progress.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream, written };
}

describe('file job hooks', () => {
  it('draws a bar on a terminal and ends its line', () => {
    const { stream, written } = fakeStream(true);
    const job = fileJobHooks(stream);
    job.hooks.onProgress?.({ done: 512 * 1024 * 1024, total: 1024 * 1024 * 1024 });
    job.hooks.onProgress?.({ done: 1024 * 1024 * 1024, total: 1024 * 1024 * 1024 });
    job.finish();
    expect(written[0]).toBe(`\r[${'#'.repeat(15)}${'-'.repeat(15)}]  50%  512.0 / 1024.0 MiB`);
    expect(written[1]).toContain('100%');
    expect(written.at(-1)).toBe('\n');
  });

  it('stays silent when stderr is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const job = fileJobHooks(stream);
    job.hooks.onProgress?.({ done: 1, total: 2 });
    job.finish();
    expect(written).toEqual([]);
  });

  it('turns SIGINT into an aborted signal until finished', () => {
    const before = process.listenerCount('SIGINT');
    const job = fileJobHooks(fakeStream(false).stream);
    expect(job.hooks.signal?.aborted).toBe(false);
    process.emit('SIGINT');
    expect(job.hooks.signal?.aborted).toBe(true);
    job.finish();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
