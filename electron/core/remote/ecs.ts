/** ECS on a remote: the encrypted Windows password of a server (reference §7). */
import { KeyholdError } from '../../../shared/errors.js';
import { remoteRequest, type HttpDeps } from './http-client.js';
import { endpointOf, type RemoteRecord } from './endpoint.js';
import { RemoteErrors } from './errors.js';

export async function fetchWindowsPasswordBlob(remote: RemoteRecord, serverId: string, http?: HttpDeps): Promise<string> {
  const { body } = await remoteRequest(
    endpointOf(remote, 'ecs'),
    { method: 'GET', path: `/v1/${remote.project_id}/cloudservers/${encodeURIComponent(serverId)}/os-server-password` },
    http,
  );
  const password = (body as { password?: unknown } | undefined)?.password;
  if (typeof password !== 'string' || password.length === 0) {
    throw new KeyholdError(
      RemoteErrors.NoValueOnRemote,
      `Server ${serverId} has no encrypted password on ${remote.name} (it was never set, or was cleared).`,
      404,
    );
  }
  return password;
}
