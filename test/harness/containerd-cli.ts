// node --import tsx test/harness/containerd-cli.ts <stop --dir DIR | stop-orphans>
//
//   stop --dir DIR   stops the private containerd in DIR and removes all of it (exit hooks)
//   stop-orphans     the same for every private containerd whose owning test process is gone
//
// Without a command it only prints this usage (tap may run every file under test/).
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { shutdownCtrd } from './containerd-cleanup.js';
import { ctrdLayout } from './containerd-layout.js';
import { readCtrdState, stopOrphanedContainerds } from './containerd.js';

const USAGE = 'usage: containerd-cli.ts stop --dir DIR | stop-orphans';

async function stop(dir: string | undefined): Promise<number> {
  if (dir === undefined) throw new Error('stop needs --dir');
  const abs = resolve(dir);
  if (!abs.startsWith(join(tmpdir(), 'tm-ctrd-')))
    throw new Error(`not a private containerd: ${abs}`);
  const st = await readCtrdState(join(abs, 'ctrd-state.json'));
  if (!st || st.dir !== abs) {
    console.log(`no private containerd in ${abs}`);
    return 0;
  }
  await shutdownCtrd(ctrdLayout(abs, st.id), st);
  console.log(`stopped private containerd ${abs}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const i = rest.indexOf('--dir');
  const dir = i >= 0 ? rest[i + 1] : undefined;
  switch (cmd) {
    case 'stop':
      return stop(dir);
    case 'stop-orphans':
      for (const d of await stopOrphanedContainerds()) console.log(`stopped ${d}`);
      return 0;
    case undefined:
      console.log(USAGE);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
