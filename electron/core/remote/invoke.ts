/**
 * Runs a declared cloud operation on a remote instead of the local vault: the same input,
 * placed into the cloud route (path parameters, then the query for GET/DELETE or the JSON body
 * otherwise), and the remote's response body returned as is.
 */
import { KeyholdError } from '../../../shared/errors.js';
import type { CloudRoute, OperationDecl } from '../../../shared/operations/index.js';
import { remoteRequest, type HttpDeps } from './http-client.js';
import { endpointOf, type RemoteRecord } from './endpoint.js';

/** `route` is the declaration's, once the call was admitted for a remote (api/admission.ts). */
export async function invokeRemote(
  decl: OperationDecl,
  route: CloudRoute,
  input: Record<string, unknown>,
  remote: RemoteRecord,
  http?: HttpDeps,
): Promise<unknown> {
  const rest = { ...input };
  const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'project_id') return encodeURIComponent(remote.project_id);
    const v = rest[name];
    delete rest[name];
    if (v === undefined) throw new KeyholdError(decl.validation.missing, `Missing parameter: ${name} is required.`, 400);
    return encodeURIComponent(String(v));
  });
  const inQuery = route.method === 'GET' || route.method === 'DELETE';
  const query: [string, string][] = inQuery
    ? Object.entries(rest).flatMap(([k, v]) =>
        Array.isArray(v) ? v.map((x) => [k, String(x)] as [string, string]) : v === undefined ? [] : [[k, String(v)] as [string, string]],
      )
    : [];
  // A write sent with POST (create-key, create-secret-version, create-keypair…) is not
  // idempotent: it is retried only when it provably did nothing there (http-client.ts); after a
  // lost answer the caller gets REMOTE.0006 and checks the remote before trying again.
  const idempotent = !(decl.mutates && route.method === 'POST');
  const { body } = await remoteRequest(endpointOf(remote), { method: route.method, path, query, body: inQuery ? undefined : rest, idempotent }, http);
  return body;
}
