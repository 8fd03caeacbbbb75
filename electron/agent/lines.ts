/**
 * The agent's CLI channel carries one JSON object per line. A line longer than `maxBytes`
 * closes the connection rather than growing a buffer without end; a line that is not a JSON
 * object is reported as such, never thrown out of a socket's data handler.
 */
import type { Socket } from 'node:net';

/** Largest line either side accepts: operation inputs are bounded well below this (secrets ≤ 64 KiB). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export type Message = Record<string, unknown>;

/** Calls `onMessage` for each complete line of `socket` (`null` for a line that is not a JSON object). */
export function readLines(socket: Socket, onMessage: (m: Message | null) => void, maxBytes = MAX_LINE_BYTES): void {
  let pending: Buffer[] = [];
  let size = 0;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (size + piece.length > maxBytes) return void socket.destroy();
      const line = Buffer.concat([...pending, piece]).toString('utf8');
      pending = [];
      size = 0;
      start = nl + 1;
      onMessage(parseMessage(line));
      if (socket.destroyed) return;
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) return void socket.destroy();
    if (rest.length) {
      pending.push(Buffer.from(rest));
      size += rest.length;
    }
  });
}

export function parseMessage(line: string): Message | null {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Message) : null;
  } catch {
    return null;
  }
}

export function send(socket: Socket, m: Message): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(m)}\n`);
}
