// Unit tests of the harness building blocks that need no Docker: tar writer, lock, validation.
import { execa } from 'execa';
import { lstat, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { acquireLock } from './lock.js';
import { buildTar } from './tar.js';
import { assertContainerId, assertKubeName, assertNetnsName, assertPid } from './validate.js';

async function tempDir(tt: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tm-unit-'));
  tt.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('buildTar writes archives GNU tar reads back exactly', async (tt) => {
  const dir = await tempDir(tt);
  const long = `deep/${'d'.repeat(90)}/${'f'.repeat(60)}.txt`;
  const tar = buildTar([
    { type: 'dir', path: 'bin' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: '/bin/tool', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
    { type: 'symlink', path: 'bin/alias', target: 'tool' },
    { type: 'file', path: long, data: Buffer.alloc(1500, 7) },
  ]);
  tt.equal(tar.length % 512, 0);
  await writeFile(join(dir, 'a.tar'), tar);
  const listing = await execa('tar', ['-tvf', join(dir, 'a.tar')]);
  tt.match(listing.stdout, /lrwxrwxrwx root\/root .* bin\/alias -> tool/);
  tt.match(listing.stdout, /drwxrwxrwt root\/root .* tmp\//);
  const out = join(dir, 'out');
  await execa('mkdir', [out]);
  await execa('tar', ['-xpf', join(dir, 'a.tar'), '-C', out]);
  tt.equal(await readFile(join(out, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
  tt.equal((await lstat(join(out, 'bin/tool'))).mode & 0o7777, 0o755);
  tt.equal(await readlink(join(out, 'bin/alias')), 'tool');
  tt.same(await readFile(join(out, long)), Buffer.alloc(1500, 7));
  tt.throws(() => buildTar([{ type: 'file', path: '../escape', data: '' }]), /invalid tar path/);
});

t.test('buildTar puts paths and link targets too long for ustar in PAX headers', async (tt) => {
  const dir = await tempDir(tt);
  const segment = `content/${'f'.repeat(124)}`; // a cacache blob name: longer than ustar's 100
  const target = `/${'t'.repeat(60)}/${'u'.repeat(60)}`;
  await writeFile(
    join(dir, 'p.tar'),
    buildTar([
      { type: 'file', path: segment, data: 'blob\n' },
      { type: 'file', path: `${'d'.repeat(160)}/${'e'.repeat(110)}`, data: 'deep\n' },
      { type: 'symlink', path: 'link', target },
    ]),
  );
  const out = join(dir, 'out');
  await execa('mkdir', [out]);
  await execa('tar', ['-xpf', join(dir, 'p.tar'), '-C', out]);
  tt.equal(await readFile(join(out, segment), 'utf8'), 'blob\n');
  tt.equal(await readFile(join(out, 'd'.repeat(160), 'e'.repeat(110)), 'utf8'), 'deep\n');
  tt.equal(await readlink(join(out, 'link')), target);
  const listing = await execa('tar', ['-tf', join(dir, 'p.tar')]);
  tt.notMatch(listing.stdout, /PaxHeaders/, 'the extended headers are not entries');
});

t.test('the lock is exclusive, released, and taken over from a dead owner', async (tt) => {
  const dir = await tempDir(tt);
  const path = join(dir, 'lock');
  const first = await acquireLock(path);
  await tt.rejects(acquireLock(path, { timeoutMs: 300 }), /timed out/);
  await first.release();
  const second = await acquireLock(path, { timeoutMs: 1000 });
  await second.release();

  const exited = execa('true');
  const deadPid = exited.pid;
  await exited;
  await writeFile(path, JSON.stringify({ pid: deadPid, token: 'x', createdAt: Date.now() }));
  const third = await acquireLock(path, { timeoutMs: 2000 });
  tt.match(JSON.parse(await readFile(path, 'utf8')), { pid: process.pid });
  await third.release();

  await writeFile(path, '{half');
  await tt.rejects(
    acquireLock(path, { timeoutMs: 300 }),
    /timed out/,
    'fresh garbage is respected',
  );
});

t.test('validation rejects values that must never reach a command', async (tt) => {
  tt.throws(() => assertPid(1));
  tt.throws(() => assertPid(-5));
  tt.throws(() => assertPid(1.5));
  tt.equal(assertPid(4242), 4242);
  tt.throws(() => assertNetnsName('host'));
  tt.throws(() => assertNetnsName('tm-../../etc'));
  tt.throws(() => assertContainerId('abc; rm -rf /'));
  tt.throws(() => assertKubeName('Upper_Case'));
  tt.equal(assertKubeName('web-1'), 'web-1');
});
