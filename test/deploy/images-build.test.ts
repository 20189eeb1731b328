// The container images, built for real with the harness's private Docker engine: both
// Dockerfiles, from Node 20 base images made on this host (no registry is reachable, and the
// builds' RUN steps get no network at all), then run in containers with no network: the CLIs
// answer --help, the capture tools run, the control image is non-root, and neither image holds
// development dependencies or TypeScript sources. First build: a few minutes; later runs find
// images with the same inputs and only run the containers.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildDockerfile,
  removeStaleBuilds,
  stageImage,
  type BuiltImage,
} from '../harness/dockerfile-build.js';
import { runOnce, type RunResult } from '../harness/docker-run.js';
import { startDockerd } from '../harness/dockerd.js';
import { ensureNodeImages, type NodeImages } from '../harness/node-image.js';
import { podEnv } from '../harness/pods.js';
import { sweep } from '../harness/sweep.js';
import { ROOT } from './chart.js';

// A cold build (base images, npm ci, tsc, two images) takes minutes on 2 cores.
t.setTimeout(30 * 60_000);

const CONTROL = 'tm-test/traffic-control:build-test';
const AGENT = 'tm-test/traffic-agent:build-test';

const engine = await startDockerd();
const { runId } = podEnv(engine);
t.teardown(() => sweep(engine, runId));

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** Top-level packages the lock marks `dev`: needed only to build or test. */
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
const DEV_ONLY = Object.entries(lock.packages)
  .filter(([path, e]) => e.dev === true && /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(path))
  .map(([path]) => path.slice('node_modules/'.length));

const run = (image: string, argv: string[]): Promise<RunResult> =>
  runOnce(engine.docker, {
    image,
    entrypoint: argv.slice(0, 1),
    cmd: argv.slice(1),
    runId,
  });

/** Facts about /app, gathered by the image's own node. */
const FACTS = `
const fs = require('node:fs');
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(d + '/' + e.name) : [d + '/' + e.name]);
const top = fs.readdirSync('/app/node_modules').flatMap((n) => n.startsWith('@')
  ? fs.readdirSync('/app/node_modules/' + n).map((m) => n + '/' + m) : [n]);
const dist = walk('/app/dist');
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(),
  app: fs.readdirSync('/app').sort(), modules: top,
  tsSources: dist.filter((f) => /\\.(ts|mts|cts|tsx)$/.test(f) && !/\\.d\\.[mc]?ts$/.test(f)),
  protos: dist.filter((f) => f.endsWith('.proto')).length,
  src: fs.existsSync('/src'),
}));`;

interface Facts {
  uid: number;
  gid: number;
  app: string[];
  modules: string[];
  tsSources: string[];
  protos: number;
  src: boolean;
}

async function facts(image: string): Promise<Facts> {
  const r = await run(image, ['node', '-e', FACTS]);
  if (r.exitCode !== 0) throw new Error(`facts script failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Facts;
}

let bases: NodeImages | undefined;
const built: Record<string, BuiltImage> = {};

t.test('both images build offline from Node 20 bases made on this host', async (t) => {
  const started = new Date();
  let t0 = performance.now();
  bases = await ensureNodeImages(engine.docker, join(ROOT, 'package-lock.json'));
  t.comment(`base images ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const specs: [string, string, Record<string, string>][] = [
    [CONTROL, 'Dockerfile.control', { NODE_IMAGE: bases.node, NODE_BUILD_IMAGE: bases.build }],
    [AGENT, 'Dockerfile.agent', { NODE_IMAGE: bases.capture, NODE_BUILD_IMAGE: bases.build }],
  ];
  for (const [tag, file, imageArgs] of specs) {
    t0 = performance.now();
    const b = await buildDockerfile(engine.docker, {
      root: ROOT,
      dockerfile: join(ROOT, 'deploy', 'images', file),
      tag,
      imageArgs,
    });
    built[tag] = b;
    const size = (await engine.docker.getImage(b.id).inspect()).Size;
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    t.comment(
      `${file}: ${b.built ? 'built' : 'unchanged'} in ${secs} s, ${(size / 1e6).toFixed(0)} MB`,
    );
    t.ok(b.id, `${tag} exists`);
  }
  const stages = Object.values(built).flatMap((b) => stageImage(b.log, 'build') ?? []);
  if (stages.length > 0) {
    const n = await removeStaleBuilds(engine.docker, stages, started);
    t.comment(`build stage ${stages.join(', ')} kept as cache; ${n} stale images removed`);
  }
  const [control, agent] = [built[CONTROL], built[AGENT]];
  if (control?.built === true && agent?.built === true) {
    t.match(agent.log, /RUN npm ci[^\n]*\n ---> Using cache/, 'agent reuses the build stage');
    t.match(agent.log, /^Step \d+\/\d+ : RUN tools=/m, 'the capture-tools step ran');
    t.notMatch(agent.log, /^not in the base image:/m, 'the base image has the capture tools');
  }
});

t.test('control image: CLIs, non-root, production files only', async (t) => {
  const help = await run(CONTROL, ['node', '/app/dist/control/main.js', '--help']);
  t.equal(help.exitCode, 0, help.stderr);
  const viaEntrypoint = await runOnce(engine.docker, { image: CONTROL, cmd: ['--help'], runId });
  t.equal(viaEntrypoint.stdout, help.stdout, 'the entrypoint is traffic-control');
  const onPath = await run(CONTROL, ['traffic-control', '--help']);
  t.equal(onPath.exitCode, 0, onPath.stderr);
  t.match(onPath.stdout, /^Usage: traffic-control \[flags\]/);
  t.match(onPath.stdout, /--xds-port N\s/);
  t.match(onPath.stdout, /--admin-port N\s/);
  const config = await run(CONTROL, ['envoy-config', '--help']);
  t.equal(config.exitCode, 0, config.stderr);
  t.match(config.stdout, /^Usage: envoy-config --nodeId <pod>\.<namespace>/);
  t.match(config.stdout, /--server HOST:PORT/);
  const info = await engine.docker.getImage(CONTROL).inspect();
  t.equal(info.Config.User, '65532:65532');
  const f = await facts(CONTROL);
  t.same([f.uid, f.gid], [65532, 65532], 'runs as 65532');
  checkProductionFiles(t, f);
});

t.test('agent image: CLIs and the capture tools', async (t) => {
  const viaEntrypoint = await runOnce(engine.docker, { image: AGENT, cmd: ['--help'], runId });
  t.equal(viaEntrypoint.exitCode, 0, viaEntrypoint.stderr);
  t.match(viaEntrypoint.stdout, /^Usage: traffic-agent \[flags\]/);
  const agent = await run(AGENT, ['traffic-agent', '--help']);
  t.equal(agent.stdout, viaEntrypoint.stdout, 'traffic-agent on PATH');
  t.match(agent.stdout, /--node-name NAME\s/);
  const tools = await run(AGENT, ['envoy-tools', '--help']);
  t.equal(tools.exitCode, 0, tools.stderr);
  t.match(tools.stdout, /^Usage: envoy-tools \[flags\]/);
  t.match(tools.stdout, /--check\s/);
  const versions: [string[], RegExp][] = [
    [['iptables', '--version'], /^iptables v1\.\d+\.\d+ \((nf_tables|legacy)\)/],
    [['iptables-legacy', '--version'], /^iptables v1\.\d+\.\d+ \(legacy\)/],
    [['iptables-nft', '--version'], /^iptables v1\.\d+\.\d+ \(nf_tables\)/],
    [['ip6tables-legacy-save', '--version'], /^ip6tables-\S+ v1\.\d+\.\d+ \(legacy\)/],
    [['ip6tables-nft-restore', '--version'], /^ip6tables-\S+ v1\.\d+\.\d+ \(nf_tables\)/],
    [['nft', '--version'], /^nftables v\d+\.\d+/],
    [['nsenter', '--version'], /^nsenter from util-linux \d+\./],
  ];
  for (const [argv, re] of versions) {
    const r = await run(AGENT, argv);
    t.equal(r.exitCode, 0, `${argv.join(' ')}: ${r.stderr}`);
    t.match(r.stdout, re, argv.join(' '));
  }
  const info = await engine.docker.getImage(AGENT).inspect();
  t.equal(info.Config.User, '0:0');
  const f = await facts(AGENT);
  t.same([f.uid, f.gid], [0, 0], 'runs as root');
  checkProductionFiles(t, f);
});

function checkProductionFiles(t: Test, f: Facts): void {
  t.same(f.app, ['dist', 'node_modules', 'package.json'], '/app: dist, node_modules, package.json');
  t.equal(f.src, false, 'no build stage leftovers');
  t.same(f.tsSources, [], 'no TypeScript sources');
  t.ok(f.protos > 0, `${f.protos} .proto files beside the modules that load them`);
  const devOnly = new Set(DEV_ONLY);
  t.same(
    f.modules.filter((m) => devOnly.has(m)),
    [],
    `none of the ${devOnly.size} development-only packages of the lock`,
  );
  for (const dev of ['typescript', 'tap', 'eslint', 'tsx']) {
    t.ok(devOnly.has(dev) && !f.modules.includes(dev), `no ${dev}`);
  }
  for (const dep of Object.keys(pkg.dependencies)) {
    t.ok(f.modules.includes(dep), `${dep} installed`);
  }
}
