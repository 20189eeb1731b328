// The README's test command: runs every test file with tap and ends with the plain summary line
// `tests: N passed, N failed`. Under CI a skipped or todo test counts as a failure: a missing
// prerequisite must fail loudly, never pass quietly.
import { execa } from 'execa';
import { ensureBinaries } from './support/binaries.js';
import { ensureSystemDeps } from './support/system-deps.js';

interface Summary {
  total: number;
  pass: number;
  fail: number;
  skip: number;
  todo: number;
}

function parseSummary(line: string): Summary | undefined {
  const m = /^# \{ total: \d+.*\}$/.exec(line.trim());
  if (!m) return undefined;
  const field = (k: string): number => Number(new RegExp(`${k}: (\\d+)`).exec(line)?.[1] ?? 0);
  return {
    total: field('total'),
    pass: field('pass'),
    fail: field('fail'),
    skip: field('skip'),
    todo: field('todo'),
  };
}

async function preflight(): Promise<boolean> {
  try {
    await ensureSystemDeps();
    ensureBinaries();
    return true;
  } catch (err) {
    console.log(`preflight failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** The shared private Docker engine outlives test files; stop it once, pass or fail. */
async function stopSharedEngines(): Promise<void> {
  const r = await execa('node', ['--import', 'tsx', 'test/harness/dockerd-cli.ts', 'stop'], {
    reject: false,
    all: true,
  });
  if (r.exitCode !== 0) console.log(`stopping the shared test engine failed:\n${r.all}`);
}

async function main(): Promise<number> {
  if (!(await preflight())) {
    console.log('tests: 0 passed, 1 failed');
    return 1;
  }
  const args = process.argv.slice(2);
  const child = execa('npx', ['tap', '--reporter=tap', ...args], {
    reject: false,
    all: true,
    buffer: false,
    env: { FORCE_COLOR: '0' },
  });
  let summary: Summary | undefined;
  let rest = '';
  child.all?.setEncoding('utf8');
  child.all?.on('data', (chunk: string) => {
    process.stdout.write(chunk);
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) summary = parseSummary(l) ?? summary;
  });
  const result = await child;
  await stopSharedEngines();
  summary = parseSummary(rest) ?? summary;
  if (!summary) {
    console.log('\nno tap summary found: the test run did not complete');
    console.log('tests: 0 passed, 1 failed');
    return 1;
  }
  const strict = process.env.CI === 'true';
  const skipped = summary.skip + summary.todo;
  const failed = summary.fail + (strict ? skipped : 0);
  if (strict && skipped > 0)
    console.log(`\n${skipped} skipped or todo tests count as failures in CI`);
  console.log(`tests: ${summary.pass} passed, ${failed} failed`);
  return failed > 0 || result.exitCode !== 0 ? 1 : 0;
}

process.exitCode = await main();
