// Unit tests, no Docker: what goes into the images the build test makes (.dockerignore matching,
// the npm cache seed, shared libraries), and reading the builder's output.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { stageImage } from './dockerfile-build.js';
import { demuxLogs } from './docker-run.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';
import { sharedLibraries } from './host-files.js';
import { NpmCacheSeed, lockedTarballs } from './npm-cache.js';

t.test('.dockerignore patterns behave like Docker’s', async (t) => {
  const rules = parseDockerignore(
    '# comment\n*\n!package.json\n!lib/\n!/tools\nlib/gen/\n**/*.test.ts\n!lib/keep.test.ts\n',
  );
  const cases: [string, boolean][] = [
    ['package.json', false],
    ['README.md', true],
    ['node_modules/x/package.json', true],
    ['lib/a.ts', false],
    ['lib/deep/b.ts', false],
    ['lib/gen/c.ts', true],
    ['lib/a.test.ts', true],
    ['tools/x/y.test.ts', true],
    ['lib/keep.test.ts', false],
    ['tools/cli.ts', false],
    ['libx/a.ts', true],
  ];
  for (const [path, ignored] of cases) t.equal(isIgnored(rules, path), ignored, path);
  const q = parseDockerignore('a?c\n[xy]z\ndir/*/leaf\n');
  t.same(
    ['abc', 'a/c', 'xz', 'qz', 'dir/1/leaf', 'dir/1/2/leaf'].map((p) => isIgnored(q, p)),
    [true, false, true, false, true, false],
  );
});

const integrity = (data: string): string =>
  `sha512-${createHash('sha512').update(data).digest('base64')}`;

t.test('lockedTarballs: what npm ci fetches on this platform', async (t) => {
  const lock = JSON.stringify({
    packages: {
      '': { name: 'root' },
      'node_modules/a': { version: '1.0.0', integrity: integrity('a') },
      'node_modules/@s/b': { version: '2.0.0', integrity: integrity('b') },
      'node_modules/a/node_modules/c': { version: '3.0.0', integrity: integrity('c') },
      'node_modules/big/node_modules/bundled': { version: '1.0.0', inBundle: true },
      'node_modules/mac': { version: '1.0.0', integrity: integrity('m'), os: ['darwin'] },
      'node_modules/musl': { version: '1.0.0', integrity: integrity('u'), libc: ['musl'] },
      'node_modules/not-win': { version: '1.0.0', integrity: integrity('w'), os: ['!win32'] },
      'node_modules/x64': { version: '1.0.0', integrity: integrity('x'), cpu: ['x64'] },
    },
  });
  const names = lockedTarballs(lock, { os: 'linux', cpu: 'x64', libc: 'glibc' }).map(
    (p) => `${p.name}@${p.version}`,
  );
  t.same(names, ['@s/b@2.0.0', 'a@1.0.0', 'c@3.0.0', 'not-win@1.0.0', 'x64@1.0.0']);
});

t.test('NpmCacheSeed copies the newest usable entries and names what is missing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tm-unit-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const reg = 'https://registry.example/';
  const put = async (key: string, data: string, accept = ''): Promise<void> => {
    const i = integrity(data);
    const hex = Buffer.from(i.slice(7), 'base64').toString('hex');
    const blob = join(dir, 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    await mkdir(dirname(blob), { recursive: true });
    await writeFile(blob, data);
    const h = createHash('sha256').update(key).digest('hex');
    const bucket = join(dir, 'index-v5', h.slice(0, 2), h.slice(2, 4), h.slice(4));
    await mkdir(dirname(bucket), { recursive: true });
    const json = JSON.stringify({ key, integrity: i, metadata: { reqHeaders: { accept } } });
    await writeFile(bucket, `\n${createHash('sha1').update(json).digest('hex')}\t${json}`, {
      flag: 'a',
    });
  };
  const k = (rest: string): string => `make-fetch-happen:request-cache:${reg}${rest}`;
  await put(k('@s/b/-/b-2.0.0.tgz'), 'tarball-b');
  await put(k('@s%2fb'), 'full packument', 'application/json');
  await put(k('@s%2fb'), 'corgi packument', 'application/vnd.npm.install-v1+json; q=1.0');
  await put(k('a/-/a-1.0.0.tgz'), 'some other a'); // integrity does not match the lock
  const seed = new NpmCacheSeed(dir, reg);
  await seed.add({ name: '@s/b', version: '2.0.0', integrity: integrity('tarball-b') });
  await seed.add({ name: 'a', version: '1.0.0', integrity: integrity('tarball-a') });
  t.same(seed.missing, [`a@1.0.0 tarball (${reg}a/-/a-1.0.0.tgz)`, `a packument (${reg}a)`]);
  const blobs = seed.entries().filter((e) => e.path.startsWith('content-v2/'));
  t.same(blobs.map((e) => (e.type === 'file' ? String(e.data) : '')).sort(), [
    'corgi packument',
    'tarball-b',
  ]);
  t.equal(seed.entries().length, 4, 'two index buckets, two blobs');
});

t.test('sharedLibraries lists the loader and libc of node', async (t) => {
  const libs = await sharedLibraries([process.execPath]);
  t.ok(
    libs.some((l) => /\/ld-linux[^/]*\.so/.test(l)),
    'the dynamic loader',
  );
  t.ok(
    libs.some((l) => /\/libc\.so\.6$/.test(l)),
    'libc',
  );
  t.same(await sharedLibraries(['/bin/busybox']), [], 'a static binary has none');
});

t.test('stageImage and demuxLogs read what the engine sends', async (t) => {
  const log = [
    'Step 3/9 : FROM ${B} AS build',
    ' ---> aaaaaaaaaaaa',
    'Step 4/9 : RUN x',
    ' ---> Running in 0123456789ab',
    'Removing intermediate container 0123456789ab',
    ' ---> bbbbbbbbbbbb',
    'Step 5/9 : FROM ${N}',
    ' ---> cccccccccccc',
    '',
  ].join('\n');
  t.equal(stageImage(log, 'build'), 'bbbbbbbbbbbb');
  t.equal(stageImage(log, 'other'), undefined);
  const frame = (stream: number, text: string): Buffer => {
    const h = Buffer.alloc(8);
    h[0] = stream;
    h.writeUInt32BE(Buffer.byteLength(text), 4);
    return Buffer.concat([h, Buffer.from(text)]);
  };
  t.same(demuxLogs(Buffer.concat([frame(1, 'out1 '), frame(2, 'err'), frame(1, 'out2')])), {
    stdout: 'out1 out2',
    stderr: 'err',
  });
});
