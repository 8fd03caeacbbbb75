/**
 * The cloud routes of every operation that has one, compiled from the registry: adding an
 * operation never touches the server. Only operations admitted over HTTP are routed
 * (core/api/admission.ts: never those on local files by path).
 */
import { listOperations, offeredOver, type RegisteredOperation } from '../core/api/index.js';

export interface Route {
  method: string;
  /** The path's segments: the literal text, or null where a path parameter goes. */
  segments: (string | null)[];
  params: string[];
  op: RegisteredOperation;
}

/**
 * Routes by their number of path segments, literal segments winning over parameters within
 * each: a request is compared, segment by segment, only with routes of its own length.
 */
export type RouteTable = Map<number, Route[]>;

function compile(path: string): { segments: (string | null)[]; params: string[] } {
  const params: string[] = [];
  const segments = path.split('/').map((seg) => {
    const m = /^\{(\w+)\}$/.exec(seg);
    if (!m) return seg;
    params.push(m[1] as string);
    return null;
  });
  return { segments, params };
}

export function buildRoutes(ops: RegisteredOperation[] = listOperations()): RouteTable {
  const routes = ops
    .filter((op) => op.decl.route && offeredOver(op.decl, 'http'))
    .map((op) => ({ method: op.decl.route!.method, op, ...compile(op.decl.route!.path) }))
    // Literal segments win over parameters: /secrets/batch-import before /secrets/{secret_name}.
    .sort((a, b) => a.params.length - b.params.length);
  const table: RouteTable = new Map();
  for (const route of routes) {
    const same = table.get(route.segments.length) ?? [];
    same.push(route);
    table.set(route.segments.length, same);
  }
  return table;
}

/** The raw values of a route's parameters in `parts`, or null when the path is not the route's. */
function matchSegments(route: Route, parts: string[]): string[] | null {
  const values: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const want = route.segments[i];
    const part = parts[i] as string;
    if (want === null) {
      if (part === '') return null;
      values.push(part);
    } else if (want !== part) return null;
  }
  return values;
}

export function matchRoute(
  table: RouteTable,
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | null {
  // One trailing slash is allowed.
  const parts = (path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  let pathMatched = false;
  for (const route of table.get(parts.length) ?? []) {
    const values = matchSegments(route, parts);
    if (!values) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(values[i] as string);
      } catch {
        params[name] = values[i] as string;
      }
    });
    return { route, params };
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}
