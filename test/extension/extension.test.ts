// Another extension can call `vscode.extensions.getExtension('custodian-dev.custodian').exports`: in
// production that must reach nothing. This builds the production bundle (dist/extension.js as
// `npm run package` makes it), loads it with a stand-in `vscode` module, calls activate() with a
// Production context and walks everything reachable from what it returns, looking for the key store
// (anything with getPrivateKeyDer) or the context's SecretStorage.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { commonBuildOptions } = require('../../scripts/lib/build-cli') as { commonBuildOptions(o: { production: boolean }): object };

// vscode.ExtensionMode
const PRODUCTION = 1;
const TEST = 3;

/** The names the real `vscode` module exports, from its declaration file. */
function vscodeExportNames(): string[] {
  const dts = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  return [...new Set([...dts.matchAll(/^\s*export (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]))];
}

/** A `vscode` stand-in: every property is callable, constructible and iterable-as-empty. */
function standInVscode(made: WeakSet<object>): unknown {
  const make = (): unknown => {
    const values = new Map<string | symbol, unknown>();
    const proxy: object = new Proxy(function () {}, {
      get(t, prop) {
        if (values.has(prop)) return values.get(prop);
        if (prop === 'then') return undefined;
        if (prop === Symbol.iterator) return function* () {};
        if (prop === Symbol.toPrimitive) return () => 0;
        if (prop === 'prototype') return t.prototype;
        if (typeof prop === 'symbol') return undefined;
        const child = make();
        values.set(prop, child);
        return child;
      },
      set(_t, prop, value) {
        values.set(prop, value);
        return true;
      },
      apply: () => make(),
      construct: () => make() as object,
    });
    made.add(proxy);
    return proxy;
  };
  const module: Record<string, unknown> = {};
  for (const name of vscodeExportNames()) module[name] = make();
  module.ExtensionMode = { Production: PRODUCTION, Development: 2, Test: TEST };
  return module;
}

function fakeContext(mode: number, secrets: object, globalStorage: string): Record<string, unknown> {
  const memento = { get: () => undefined, update: async () => undefined, keys: () => [], setKeysForSync: () => undefined };
  const environment = { persistent: true, description: undefined, append: () => undefined, prepend: () => undefined, replace: () => undefined, delete: () => undefined };
  return {
    extensionMode: mode,
    subscriptions: [],
    secrets,
    globalState: memento,
    workspaceState: memento,
    extensionUri: { fsPath: '/nonexistent', path: '/nonexistent', scheme: 'file' },
    extensionPath: '/nonexistent',
    storageUri: undefined,
    globalStorageUri: { fsPath: globalStorage, path: globalStorage, scheme: 'file' },
    environmentVariableCollection: environment,
  };
}

/** True when a key store (or `secrets` itself) is reachable from `root` through properties and getters. */
function reachesKeys(root: unknown, secrets: object, standIns: WeakSet<object>): string | undefined {
  const seen = new Set<unknown>();
  const queue: { value: unknown; path: string }[] = [{ value: root, path: 'exports' }];
  while (queue.length > 0) {
    const { value, path } = queue.shift()!;
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value) || standIns.has(value)) continue;
    seen.add(value);
    if (value === secrets) return path;
    if (typeof (value as { getPrivateKeyDer?: unknown }).getPrivateKeyDer === 'function') return path;
    const names = new Set<string | symbol>();
    for (let o: object | null = value; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const n of Reflect.ownKeys(o)) names.add(n);
    }
    for (const n of names) {
      let child: unknown;
      try {
        child = (value as Record<string | symbol, unknown>)[n];
      } catch {
        continue;
      }
      queue.push({ value: child, path: `${path}.${String(n)}` });
    }
  }
  return undefined;
}

describe('extension exports', function () {
  this.timeout(60_000);
  let dir: string;
  let activate: (context: unknown) => unknown;
  const standIns = new WeakSet<object>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-bundle-'));
    const esbuild = await import('esbuild');
    const outfile = join(dir, 'extension.js');
    await esbuild.build({ ...commonBuildOptions({ production: true }), entryPoints: [join(__dirname, '..', '..', 'src', 'extension', 'extension.ts')], outfile, external: ['vscode'] });
    const vscode = standInVscode(standIns);
    const original = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
    (Module as unknown as { _load: typeof original })._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? vscode : original.call(this, request, ...rest);
    };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      activate = (require(outfile) as { activate: typeof activate }).activate;
    } finally {
      (Module as unknown as { _load: typeof original })._load = original;
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the walk finds the key store in what a Test-mode activate() returns (so the check below can fail)', () => {
    const secrets = { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) };
    const exported = activate(fakeContext(TEST, secrets, join(dir, 'global-storage')));
    assert.ok(exported, 'tests get their hooks');
    assert.ok(reachesKeys(exported, secrets, standIns), 'the test hooks do reach the key store');
  });

  it('a Production-mode activate() of the production bundle returns nothing that reaches a private key', () => {
    const secrets = { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) };
    const exported = activate(fakeContext(PRODUCTION, secrets, join(dir, 'global-storage')));
    assert.equal(reachesKeys(exported, secrets, standIns), undefined, 'the key store is reachable from the exports');
    assert.equal(exported, undefined);
  });
});
