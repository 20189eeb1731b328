// Translation benchmark: a model of 1,000 Services and 10,000 pods (10 per Service, versions v1
// and v2); cold translation of the whole mesh, the incremental rebuild after one label change
// and after one pod's weight change, publishing to 1,000 proxies, and the config size of a
// proxy that calls 5 Services (traffic.egress.services) against the whole mesh.
import { SnapshotCache } from '../control/xds/cache.js';
import { Translator } from '../control/translate/translator.js';
import type { Snapshot } from '../control/xds/snapshot.js';
import { ModelBuilder } from '../test/support/model.js';
import { machine, mib } from './machine.js';

const SERVICES = 1000;
const PODS_PER_SERVICE = 10;

function ip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function build(): ModelBuilder {
  const m = new ModelBuilder();
  let pod = 0;
  for (let s = 0; s < SERVICES; s++) {
    const name = `svc-${s}`;
    const labels: Record<string, string> = {
      'traffic.port.9080': 'http',
      'traffic.retries.5xx': '2',
    };
    if (s % 2 === 0)
      Object.assign(labels, {
        'traffic.version.v1.weight': '90',
        'traffic.version.v2.weight': '10',
      });
    m.service(name, 'default', {
      ip: `172.20.${s >> 8}.${s & 255}`,
      ports: [{ name: 'http', port: 9080 }],
      labels,
    });
    const eps = [];
    for (let p = 0; p < PODS_PER_SERVICE; p++, pod++) {
      const podName = `${name}-${p}`;
      m.pod(podName, 'default', {
        ip: ip(pod + 1),
        labels: { app: name, version: p < 8 ? 'v1' : 'v2' },
      });
      eps.push({ pod: podName, ip: ip(pod + 1), port: 9080 });
    }
    m.endpoints(name, 'default', eps, 'http');
  }
  m.pod('caller', 'default', {
    ip: '10.250.0.1',
    annotations: {
      'traffic.egress.services':
        'svc-1.default,svc-2.default,svc-3.default,svc-4.default,svc-5.default',
    },
  });
  return m;
}

function bytes(s: Snapshot): number {
  let n = 0;
  for (const t of s.types.values()) for (const r of t.items.values()) n += r.bytes.length;
  return n;
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const r = fn();
  return [r, performance.now() - start];
}

export async function translateBench(): Promise<void> {
  const [m, modelMs] = timed(build);
  const tr = new Translator(m);
  const [whole, coldMs] = timed(() => tr.snapshotFor('mesh-proxy.default'));
  const [scoped, scopedMs] = timed(() => tr.snapshotFor('caller.default'));
  const svc = m.services.get('default/svc-42');
  if (svc)
    m.services.set('default/svc-42', {
      ...svc,
      labels: {
        ...svc.labels,
        'traffic.version.v1.weight': '50',
        'traffic.version.v2.weight': '50',
      },
    });
  const [, labelMs] = timed(() => {
    tr.invalidate({ services: ['default/svc-42'] });
    return tr.snapshotFor('mesh-proxy.default');
  });
  const p = m.pods.get('default/svc-7-3');
  if (p)
    m.pods.set('default/svc-7-3', {
      ...p,
      labels: { ...p.labels, 'traffic.endpoint.weight': '0' },
    });
  const [, podMs] = timed(() => {
    tr.invalidate({ pods: ['default/svc-7-3'] });
    return tr.snapshotFor('mesh-proxy.default');
  });
  const cache = new SnapshotCache();
  const [, publishMs] = timed(() => {
    for (let i = 0; i < 1000; i++) {
      const r = cache.set(`proxy-${i}.default`, tr.snapshotFor(`proxy-${i}.default`));
      if (!r.valid) throw new Error(r.errors.join('; '));
    }
  });
  global.gc?.();
  const rss = process.memoryUsage().rss;
  const f = (x: number): string => x.toFixed(1);
  console.log(
    `\nTranslation at ${SERVICES} Services / ${SERVICES * PODS_PER_SERVICE} pods (${machine()})\n`,
  );
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| build the model (test helper) | ${f(modelMs)} ms |`);
  console.log(
    `| cold translation, whole mesh (${whole.resourceCount()} resources) | ${f(coldMs)} ms |`,
  );
  console.log(`| rebuild after one Service label change | ${f(labelMs)} ms |`);
  console.log(`| rebuild after one pod weight change | ${f(podMs)} ms |`);
  console.log(
    `| set 1,000 proxies' snapshots (shared scope, consistency-checked) | ${f(publishMs)} ms |`,
  );
  console.log(`| whole-mesh config bytes per proxy | ${bytes(whole)} |`);
  console.log(
    `| config bytes, proxy calling 5 Services (translated in ${f(scopedMs)} ms) | ${bytes(scoped)} (${f((100 * bytes(scoped)) / bytes(whole))}% of whole mesh) |`,
  );
  console.log(`| process RSS after all of it | ${mib(rss)} MiB |`);
}
