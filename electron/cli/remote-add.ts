/**
 * `keyhold remote add`: the registry operation, with the CLI's word on transport security. A
 * cleartext (http://) endpoint on another host is accepted with a warning on stderr, since a lab
 * may mean it; --require-tls turns the warning into a refusal, before anything is stored.
 */
import { KeyholdError, LocalErrors } from '../../shared/errors.js';
import { findOperation } from '../core/api/index.js';
import type { CliContext } from './context.js';
import { isCleartextRemote } from './endpoint.js';
import { buildInput } from './input.js';
import { runOperation } from './operation.js';

const ENDPOINT_FIELDS = ['endpoint', 'ecs_endpoint'] as const;

export async function remoteAdd(ctx: CliContext): Promise<unknown> {
  const op = findOperation('remote', 'add');
  if (!op) throw new KeyholdError(LocalErrors.Internal, 'remote add is not registered.', 500);
  const requireTls = ctx.cmd.flags.get('require-tls');
  if (requireTls !== undefined && requireTls !== true) throw new KeyholdError(LocalErrors.BadArgument, 'Option --require-tls takes no value.', 400);
  ctx.cmd.flags.delete('require-tls');
  const input = buildInput(op.decl, ctx.cmd.flags, ctx.cmd.inputJson, ctx.stdin);
  for (const field of ENDPOINT_FIELDS) {
    const url = input[field];
    if (typeof url !== 'string' || !isCleartextRemote(url)) continue;
    const flag = `--${field.replace(/_/g, '-')}`;
    if (requireTls) {
      throw new KeyholdError(
        LocalErrors.BadArgument,
        `Refused ${flag} ${url}: it is cleartext HTTP to another host, and --require-tls was given. Use an https:// URL.`,
        400,
      );
    }
    process.stderr.write(
      `keyhold: warning: ${flag} ${url} is cleartext HTTP to another host: requests, secret values and plaintexts would cross the network unencrypted. Use https://, or --require-tls to refuse such endpoints.\n`,
    );
  }
  return runOperation(ctx, op, input);
}
