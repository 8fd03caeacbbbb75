// The layering of docs/architecture.md, checked on resolved files rather than on spellings.
//
// Every import a module can make — `import`/`export … from`, `import()`, `import('x').T` types,
// `require()` and functions made by `createRequire()` — is resolved to a project path and mapped
// to the layer that owns that path; the importing file's layer must list it in `mayImport`. A
// file under a checked root that no layer names is an error too, so a new folder cannot slip in
// unlayered. Bare specifiers are packages: `electron` only where a layer says `electron: true`,
// Node's built-ins nowhere a layer says `node: false`.
//
// Written here rather than taken from eslint-plugin-import/boundaries: those match globs on the
// spelling or need a resolver set-up per tool; this project needs only relative paths (no aliases)
// and one graph, kept in eslint.config.js.
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** `dir/**` matches everything under dir; `dir/*` only its direct files. */
function matches(pattern, file) {
  if (pattern.endsWith('/**')) return file.startsWith(pattern.slice(0, -2));
  if (pattern.endsWith('/*')) {
    const dir = pattern.slice(0, -1);
    return file.startsWith(dir) && !file.slice(dir.length).includes('/');
  }
  return file === pattern;
}

/** The layer owning a project-relative path: the one with the longest matching pattern. */
function layerOf(layers, file) {
  let best;
  let bestLength = -1;
  for (const layer of layers) {
    for (const pattern of layer.files) {
      if (matches(pattern, file) && pattern.length > bestLength) {
        best = layer;
        bestLength = pattern.length;
      }
    }
  }
  return best;
}

function literalOf(node) {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  if (node.type === 'TSLiteralType') return literalOf(node.literal);
  return undefined;
}

const isCreateRequire = (node) => node?.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'createRequire';

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layer graph of docs/architecture.md, on resolved paths.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          checked: { type: 'array', items: { type: 'string' } },
          layers: { type: 'array' },
        },
        required: ['root', 'checked', 'layers'],
      },
    ],
  },
  create(context) {
    const { root, checked, layers } = context.options[0];
    const filename = context.filename;
    const self = relative(root, filename).split(sep).join('/');
    if (self.startsWith('..') || !checked.some((c) => matches(c, self))) return {};
    const own = layerOf(layers, self);
    const requireNames = new Set(['require']);

    function check(node, specifier) {
      if (!own) return;
      if (specifier === undefined) {
        context.report({ node, message: `A computed import cannot be checked against the layer graph; import a literal path in ${own.name}.` });
        return;
      }
      if (specifier.startsWith('.') || isAbsolute(specifier)) {
        const target = relative(root, resolve(dirname(filename), specifier))
          .split(sep)
          .join('/');
        const to = layerOf(layers, target);
        if (!to) {
          context.report({ node, message: `'${specifier}' resolves to ${target}, which no layer names (layer ${own.name}).` });
        } else if (to !== own && !own.mayImport.includes(to.name)) {
          context.report({
            node,
            message: `Layer ${own.name} may not import layer ${to.name} ('${specifier}' resolves to ${target}). ${own.name} may import: ${own.mayImport.join(', ') || 'nothing'}.`,
          });
        }
        return;
      }
      if (specifier === 'electron' || specifier.startsWith('electron/')) {
        if (!own.electron) context.report({ node, message: `Layer ${own.name} may not import 'electron': only the Electron shell does.` });
        return;
      }
      if (builtins.has(specifier) || builtins.has(specifier.split('/')[0])) {
        if (own.node === false) context.report({ node, message: `Layer ${own.name} runs without Node: '${specifier}' is not available there.` });
      }
    }

    const fromSource = (node) => {
      if (node.source) check(node.source, literalOf(node.source));
    };
    return {
      Program(node) {
        if (!own) context.report({ node, message: `${self} is in no layer of the graph in eslint.config.js: add its folder to a layer.` });
      },
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) {
        check(node, literalOf(node.source));
      },
      TSImportType(node) {
        check(node, literalOf(node.source) ?? literalOf(node.argument));
      },
      VariableDeclarator(node) {
        if (node.id.type === 'Identifier' && isCreateRequire(node.init)) requireNames.add(node.id.name);
      },
      CallExpression(node) {
        const direct = node.callee.type === 'Identifier' && requireNames.has(node.callee.name);
        if (direct || isCreateRequire(node.callee)) check(node, literalOf(node.arguments[0]));
      },
    };
  },
};
