// Loads Envoy's own .proto files into one protobufjs Root (keepCase: snake_case field names, as
// in Envoy's docs and YAML). Every resource the project sends or reads is encoded and decoded
// with these types; nothing is hand-serialised.
import protobuf from 'protobufjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { PROTO_ROOTS, includeDirs } from './roots.js';

let cached: protobuf.Root | undefined;

function protobufjsDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('protobufjs/package.json'));
}

function resolver(dirs: string[]): (origin: string, target: string) => string | null {
  const descriptor = join(protobufjsDir(), 'google', 'protobuf', 'descriptor.proto');
  return (_origin, target) => {
    if (isAbsolute(target)) return target;
    if (target === 'google/protobuf/descriptor.proto') return descriptor;
    // Well-known types (any, duration, struct, wrappers, ...) are built into protobufjs.
    if (target.startsWith('google/protobuf/')) return target;
    for (const dir of dirs) {
      const p = join(dir, target);
      if (existsSync(p)) return p;
    }
    return null;
  };
}

/** The Root with every file of PROTO_ROOTS and their imports; loaded once per process. */
export function envoyRoot(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = resolver(includeDirs());
  root.loadSync([...PROTO_ROOTS], { keepCase: true });
  root.resolveAll();
  cached = root;
  return root;
}

export function lookupType(fullName: string): protobuf.Type {
  return envoyRoot().lookupType(fullName);
}
