// The container images, as far as they can be checked without building them (no registry is
// reachable here): what each Dockerfile copies exists and is admitted by its .dockerignore, the
// build copies every folder the TypeScript build compiles, the entrypoints and the commands put on
// PATH are package.json's bins (whose sources start with a node shebang), the base images are
// build arguments, the build stage is the same in both files, and the users are the ones the chart
// runs them as. test/deploy/images-build.test.ts builds and runs them.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, container, find, render } from './chart.js';

interface Image {
  file: string;
  entry: string;
  onPath: string[];
  user: string;
}

const IMAGES: Image[] = [
  {
    file: 'Dockerfile.control',
    entry: 'traffic-control',
    onPath: ['traffic-control', 'envoy-config'],
    user: '65532:65532',
  },
  {
    file: 'Dockerfile.agent',
    entry: 'traffic-agent',
    onPath: ['traffic-agent', 'envoy-tools'],
    user: '0:0',
  },
];

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): [string, string][] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return [op.toUpperCase(), rest.join(' ')];
    });
}

for (const image of IMAGES) {
  t.test(image.file, async (t) => {
    const dir = join(ROOT, 'deploy', 'images');
    const text = readFileSync(join(dir, image.file), 'utf8');
    const ins = instructions(text);
    const of = (op: string) => ins.filter(([o]) => o === op).map(([, a]) => a);

    const [arg, buildArg] = of('ARG');
    t.match(arg, /^NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/, 'a pinned Node 20 slim base');
    t.equal(buildArg, 'NODE_BUILD_IMAGE=${NODE_IMAGE}', 'the build stage: the same unless given');
    t.same(
      of('FROM'),
      ['${NODE_BUILD_IMAGE} AS build', '${NODE_IMAGE}'],
      'build stage from NODE_BUILD_IMAGE, runtime from NODE_IMAGE',
    );

    const ignore = readFileSync(join(dir, `${image.file}.dockerignore`), 'utf8').split('\n');
    t.equal(
      ignore.find((l) => l.trim() !== '' && !l.startsWith('#')),
      '*',
      'deny by default',
    );
    const sources = of('COPY')
      .filter((a) => !a.startsWith('--from'))
      .flatMap((a) => a.split(/\s+/).slice(0, -1));
    t.ok(sources.length >= 6, `${sources.length} sources copied from the context`);
    for (const src of sources) {
      t.ok(existsSync(join(ROOT, src)), `COPY ${src}: exists in the repository`);
      const top = src.replace(/\/.*/, '');
      t.ok(
        ignore.includes(`!${top}`) || ignore.includes(`!${top}/`),
        `${src}: admitted by the .dockerignore`,
      );
    }
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    for (const folder of build.include) t.ok(sources.includes(folder), `the build gets ${folder}/`);

    const main = pkg.bin[image.entry] ?? '';
    t.same(JSON.parse(of('ENTRYPOINT')[0] ?? '[]'), ['node', `/app/${main}`], 'the bin entry');
    const links = [...text.matchAll(/ln -s \/app\/(\S+) \/usr\/local\/bin\/(\S+)/g)].map((m) => [
      m[2],
      m[1],
    ]);
    t.same(
      links,
      image.onPath.map((name) => [name, pkg.bin[name]]),
      'commands on PATH are package.json bins',
    );
    for (const name of image.onPath) {
      const src = join(ROOT, (pkg.bin[name] ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts'));
      t.ok(readFileSync(src, 'utf8').startsWith('#!/usr/bin/env node\n'), `${name}: shebang`);
      const chmod = /chmod 0755 ([^\n]+)/.exec(text.replace(/\\\n/g, ' '))?.[1] ?? '';
      t.ok(chmod.split(/\s+/).includes(pkg.bin[name] ?? '?'), `${name} made executable`);
    }
    t.same(of('USER'), [image.user]);
    t.match(text, /npm prune --omit=dev/, 'production dependencies only');
    t.match(
      text,
      /find lib control agent iptables tools -name '\*\.proto' -exec cp --parents \{\} dist\//,
      '.proto files the modules load at run time go beside them in dist/',
    );
  });
}

/** The build stage: from its FROM to the runtime stage's heading. */
function buildStage(text: string): string {
  const start = text.indexOf('FROM ${NODE_BUILD_IMAGE} AS build');
  return text.slice(start, text.indexOf('\n# ---- runtime', start));
}

t.test('the build stage is the same in both, so a builder runs it once for both', async (t) => {
  const [control, agent] = ['Dockerfile.control', 'Dockerfile.agent'].map((f) =>
    readFileSync(join(ROOT, 'deploy', 'images', f), 'utf8'),
  );
  t.ok(buildStage(control ?? '').includes('RUN npm ci'));
  t.equal(buildStage(agent ?? ''), buildStage(control ?? ''));
  t.equal(
    readFileSync(join(ROOT, 'deploy', 'images', 'Dockerfile.agent.dockerignore'), 'utf8'),
    readFileSync(join(ROOT, 'deploy', 'images', 'Dockerfile.control.dockerignore'), 'utf8'),
    'and so is the context',
  );
});

t.test('the agent image carries the capture tools; the users match the chart', async (t) => {
  const agent = readFileSync(join(ROOT, 'deploy', 'images', 'Dockerfile.agent'), 'utf8');
  t.match(agent, /apt-get install -y --no-install-recommends[\s\\]+iptables nftables util-linux/);
  // Installed only when the base lacks them; checked by every name the agent runs.
  const tools = /tools="([^"]+)"/.exec(agent.replace(/\\\n/g, ' '))?.[1]?.split(/\s+/) ?? [];
  const expected = ['iptables', 'nft', 'nsenter'];
  for (const fam of ['iptables', 'ip6tables'])
    for (const backend of ['nft', 'legacy'])
      for (const tool of ['save', 'restore']) expected.push(`${fam}-${backend}-${tool}`);
  t.same([...tools].sort(), expected.sort(), 'the tools checked before apt-get');
  t.match(
    agent,
    /if \[ -n "\$missing" \]; then[^]*apt-get update/,
    'apt-get only for missing tools',
  );
  const docs = await render();
  const control = find(docs, 'Deployment', 'traffic-control');
  t.equal(control.spec.template.spec.securityContext.runAsUser, 65532, 'Dockerfile.control USER');
  const ds = find(docs, 'DaemonSet', 'traffic-agent');
  t.equal(container(ds, 'traffic-agent').securityContext.runAsUser, 0, 'Dockerfile.agent USER');
});
