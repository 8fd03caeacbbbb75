/**
 * `keyhold serve`: encrypt-data (4 KB) requests per second through the full server stack
 * (AK/SK verification, routing, validation, KMS, group-committed audit entry) against a bare
 * node:http server doing the same AES-256-GCM encryption, both loaded by autocannon in the same
 * run (10 connections, pipelining 1, 5 s each, alternating, median of 3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signRequest } from '../../../electron/core/api/index.js';
import { PROJECT_ROOT } from '../../helpers/vault.js';
import { median, type BenchReport } from '../harness.ts';

interface Target {
  child: ChildProcess;
  info: { url: string; project_id?: string; key_id?: string; access?: string; secret?: string };
}

async function start(mode: 'keyhold' | 'bare'): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/bench/serve-target.ts'), mode], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0] as string);
    });
  });
  return { child, info: JSON.parse(line) as Target['info'] };
}

async function load(url: string, path: string, headers: Record<string, string>, body: string): Promise<number> {
  const result = await autocannon({ url: url + path, method: 'POST', headers, body, connections: 10, pipelining: 1, duration: 5 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench target answered ${result.non2xx} non-2xx and ${result.errors} errors`);
  return result.requests.average;
}

export async function run(report: BenchReport): Promise<void> {
  report.section('serve: encrypt-data 4 KB over HTTP (autocannon)');
  const keyhold = await start('keyhold');
  const bare = await start('bare');
  try {
    const { url, project_id, key_id, access, secret } = keyhold.info;
    const path = `/v1.0/${project_id}/kms/encrypt-data`;
    const body = JSON.stringify({ key_id, plain_text: 'x'.repeat(4096) });
    // One signed request replayed: a signature stays valid for 15 minutes, like the cloud's.
    const signed = {
      method: 'POST',
      path,
      query: [] as [string, string][],
      headers: { 'Content-Type': 'application/json;charset=UTF-8' } as Record<string, string>,
      body: Buffer.from(body),
    };
    signRequest(signed, { access: access as string, secret: secret as string }, { host: new URL(url).host });
    const k: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 3; i++) {
      k.push(await load(url, path, signed.headers, body));
      b.push(await load(bare.info.url, '/', { 'Content-Type': 'application/json' }, body));
    }
    report.ratio({
      name: 'encrypt-data 4 KB requests',
      unit: 'req/s',
      keyhold: median(k),
      baseline: median(b),
      baselineName: 'bare node:http + AES-256-GCM',
      goal: 0.7,
    });
  } finally {
    keyhold.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
  }
}
