/**
 * The cloud routes of every operation that has one, compiled from the registry: adding an
 * operation never touches the server. Operations that read or write local files by path are
 * never routed.
 */
import { listOperations, type RegisteredOperation } from '../core/api/index.js';

export interface Route {
  method: string;
  pattern: RegExp;
  params: string[];
  op: RegisteredOperation;
}

function compile(path: string): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      params.push(m[1] as string);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), params };
}

export function buildRoutes(ops: RegisteredOperation[] = listOperations()): Route[] {
  return (
    ops
      .filter((op) => op.decl.route && !op.decl.localFiles)
      .map((op) => ({ method: op.decl.route!.method, op, ...compile(op.decl.route!.path) }))
      // Literal segments win over parameters: /secrets/batch-import before /secrets/{secret_name}.
      .sort((a, b) => a.params.length - b.params.length)
  );
}

export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | null {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1] as string);
      } catch {
        params[name] = m[i + 1] as string;
      }
    });
    return { route, params };
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}
