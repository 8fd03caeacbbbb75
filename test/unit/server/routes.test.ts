// The router compares path segments instead of trying one regex per route; it must pick the
// same route, parameters and "method not allowed" answers as the regexes it replaced.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listOperations } from '../../../electron/core/api/index.js';
import { buildRoutes, matchRoute } from '../../../electron/server/routes.js';

/** The previous router: one anchored regex per route, literal routes first. */
function regexRouter() {
  const routes = listOperations()
    .filter((op) => op.decl.route && !op.decl.localFiles)
    .map((op) => {
      const params: string[] = [];
      const source = op.decl
        .route!.path.split('/')
        .map((seg) => {
          const m = /^\{(\w+)\}$/.exec(seg);
          if (!m) return seg.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
          params.push(m[1] as string);
          return '([^/]+)';
        })
        .join('/');
      return { method: op.decl.route!.method, key: op.key, pattern: new RegExp(`^${source}/?$`), params };
    })
    .sort((a, b) => a.params.length - b.params.length);
  return (method: string, path: string) => {
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
      return { key: route.key, params };
    }
    return pathMatched ? 'method not allowed' : 'no route';
  };
}

describe('router', () => {
  it('answers every path and method as the per-route regexes did', () => {
    const table = buildRoutes();
    const reference = regexRouter();
    const current = (method: string, path: string) => {
      const found = matchRoute(table, method, path);
      if (!found) return 'no route';
      if ('methodNotAllowed' in found) return 'method not allowed';
      return { key: found.route.op.key, params: found.params };
    };
    const templates = listOperations().flatMap((op) => (op.decl.route ? [op.decl.route.path] : []));
    const value = fc.oneof(fc.constantFrom('p1', 'latest', 'a%20b', '%E0%A4%A', '', 'batch-import', 'kms', '.', 'x/y'), fc.string({ maxLength: 6 }));
    const path = fc
      .tuple(fc.constantFrom(...templates), fc.array(value, { minLength: 4, maxLength: 4 }), fc.constantFrom('', '/', '//', '/x'), fc.nat(6))
      .map(([template, values, tail, cut]) => {
        let i = 0;
        const filled = template.replace(/\{\w+\}/g, () => values[i++ % values.length] as string);
        // Sometimes a prefix only, or one segment too many.
        const segments = filled.split('/');
        return (cut < 2 ? segments.slice(0, segments.length - 1 - cut).join('/') : filled) + tail;
      });
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
    fc.assert(
      fc.property(method, path, (m, p) => {
        expect(current(m, p)).toEqual(reference(m, p));
      }),
      { numRuns: 20000 },
    );
  });
});
