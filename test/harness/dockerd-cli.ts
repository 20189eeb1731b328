// node --import tsx test/harness/dockerd-cli.ts <start|status|stop|sweep> [--dir DIR]
//
//   start    start (or reuse) the shared engine; prints its state as JSON
//   status   prints the shared engine's state; exit 1 when it is not running
//   stop     removes harness containers, stops the shared engine and any orphaned dedicated
//            engine; CI calls this once after all test files (also when tests failed)
//   stop --dir DIR   stops and deletes the dedicated engine in DIR (used by exit hooks)
//   sweep    removes harness-labelled containers from the running shared engine
//
// Without a command it only prints this usage (tap may run every file under test/).
import { sharedDockerdStatus, startDockerd, stopSharedDockerd } from './dockerd.js';
import { sharedEngineDir } from './engine-layout.js';
import { stopDedicatedEngine, stopOrphanedEngines } from './leftovers.js';
import { sweep } from './sweep.js';

const USAGE = 'usage: dockerd-cli.ts start|status|stop|sweep [--dir DIR]';

function dirArg(args: string[]): string | undefined {
  const i = args.indexOf('--dir');
  if (i < 0) return undefined;
  const dir = args[i + 1];
  if (dir === undefined || dir.startsWith('-')) throw new Error('--dir needs a value');
  return dir;
}

async function start(dir: string | undefined): Promise<number> {
  const e = await startDockerd(dir === undefined ? {} : { dir });
  const { pid, containerdPid, socketPath, netns, reused, startupMs } = e;
  console.log(JSON.stringify({ pid, containerdPid, socketPath, netns, reused, startupMs }));
  return 0;
}

async function status(dir: string | undefined): Promise<number> {
  const s = await sharedDockerdStatus(dir ?? sharedEngineDir());
  console.log(JSON.stringify(s));
  return s.running ? 0 : 1;
}

async function stop(dir: string | undefined): Promise<number> {
  if (dir !== undefined && dir !== sharedEngineDir()) {
    const dedicated = await stopDedicatedEngine(dir);
    if (dedicated) {
      console.log(`stopped dedicated engine ${dir}`);
      return 0;
    }
  }
  const stopped = await stopSharedDockerd(dir ?? sharedEngineDir());
  console.log(stopped ? 'stopped shared engine' : 'shared engine was not running');
  for (const d of await stopOrphanedEngines()) console.log(`stopped orphaned engine ${d}`);
  return 0;
}

async function sweepShared(dir: string | undefined): Promise<number> {
  const s = await sharedDockerdStatus(dir ?? sharedEngineDir());
  if (!s.running) {
    console.log('shared engine is not running');
    return 0;
  }
  const engine = await startDockerd(dir === undefined ? {} : { dir });
  console.log(`removed ${await sweep(engine)} containers`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const dir = dirArg(rest);
  switch (cmd) {
    case 'start':
      return start(dir);
    case 'status':
      return status(dir);
    case 'stop':
      return stop(dir);
    case 'sweep':
      return sweepShared(dir);
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
