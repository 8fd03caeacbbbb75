/**
 * One measured file job in its own process, so /usr/bin/time can report that process's peak
 * RSS: Keyhold's `file encrypt|decrypt` through the session (as the CLI and the app run it), or
 * the raw baseline — node:crypto AES-256-GCM over a stream pipeline with the same frame size.
 * Or Keyhold's own I/O path with no cipher (the same pump, batches copied through): the ceiling
 * any cipher could reach on this machine, which shows how much of a gap is the disk's.
 * Prints {"ms"} for the job alone (not process start or vault unlock).
 *   node --import tsx test/bench/file-worker.ts keyhold VAULT PASSWORD encrypt|decrypt IN OUT [KEY_ID]
 *   node --import tsx test/bench/file-worker.ts raw encrypt|decrypt IN OUT FRAME_SIZE KEY_HEX
 *   node --import tsx test/bench/file-worker.ts copy IN OUT
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Session } from '../../electron/core/api/index.js';
import { atomicOutput, openInput, writeAll } from '../../electron/core/envelope/io.js';
import { BATCH_BYTES, pump } from '../../electron/core/envelope/pipeline.js';

const [mode, ...args] = process.argv.slice(2) as [string, ...string[]];

/** The textbook pipeline: one GCM per frame, written as random IV ‖ ciphertext ‖ tag. */
async function raw(op: string, input: string, output: string, frameSize: number, key: Buffer): Promise<void> {
  const transform =
    op === 'encrypt'
      ? new Transform({
          transform(chunk: Buffer, _enc, done) {
            const iv = randomBytes(12);
            const c = createCipheriv('aes-256-gcm', key, iv);
            const ct = c.update(chunk);
            c.final();
            done(null, Buffer.concat([iv, ct, c.getAuthTag()]));
          },
        })
      : new Transform({
          transform(chunk: Buffer, _enc, done) {
            const d = createDecipheriv('aes-256-gcm', key, chunk.subarray(0, 12));
            d.setAuthTag(chunk.subarray(chunk.length - 16));
            const pt = d.update(chunk.subarray(12, chunk.length - 16));
            try {
              d.final();
              done(null, pt);
            } catch (e) {
              done(e as Error);
            }
          },
        });
  const chunk = op === 'encrypt' ? frameSize : 12 + frameSize + 16;
  await pipeline(createReadStream(input, { highWaterMark: chunk }), transform, createWriteStream(output));
}

const start = performance.now();
let ms: number;
if (mode === 'keyhold') {
  const [vault, password, op, input, output, keyId] = args as [string, string, string, string, string, string | undefined];
  const session = await Session.open(vault, { password });
  const t = performance.now();
  await session.call('file', op, op === 'encrypt' ? { key_id: keyId, in: input, out: output } : { in: input, out: output }, 'ipc');
  ms = performance.now() - t;
  session.close();
} else if (mode === 'copy') {
  const [input, output] = args as [string, string];
  const { fh, size } = await openInput(input);
  await atomicOutput(output, (out) =>
    pump(fh, 0, BATCH_BYTES, {}, size, {
      outputBytes: BATCH_BYTES,
      consume: (chunk, _eof, into) => chunk.copy(into),
      write: (data, at) => writeAll(out, data, at),
      start: 0,
      leavesGarbage: false,
    }),
  );
  await fh.close();
  ms = performance.now() - start;
} else {
  const [op, input, output, frameSize, keyHex] = args as [string, string, string, string, string];
  await raw(op, input, output, Number(frameSize), Buffer.from(keyHex, 'hex'));
  ms = performance.now() - start;
}
process.stdout.write(`${JSON.stringify({ ms })}\n`);
