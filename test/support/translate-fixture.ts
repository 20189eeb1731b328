// A reviews Service with three versioned pods, translated for one caller; resources come back
// decoded with Envoy's protos in the readable form of config dumps.
import { readableResource } from '../../control/admin/readable.js';
import type { Labels } from '../../control/model/types.js';
import { Translator } from '../../control/translate/translator.js';
import type { TranslateOptions } from '../../control/translate/service.js';
import { TYPE, type TypeUrl } from '../../control/xds/types.js';
import { ModelBuilder } from './model.js';

export type R = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Translated {
  translator: Translator;
  model: ModelBuilder;
  get(type: TypeUrl, name: string): R | undefined;
  names(type: TypeUrl): string[];
  cluster: R | undefined;
  cla: R | undefined;
  route: R | undefined;
  /** The HttpConnectionManager of the reviews api_listener. */
  hcm: R | undefined;
  outbound: R | undefined;
}

export const REVIEWS = '9080|default|reviews.outbound';

export function reviews(
  labels: Labels,
  o: { pods?: Record<string, Labels>; opts?: Partial<TranslateOptions>; annotations?: Labels } = {},
): Translated {
  const m = new ModelBuilder();
  m.service('reviews', 'default', {
    ip: '10.96.0.20',
    ports: [{ name: 'http', port: 9080 }],
    labels,
    annotations: o.annotations ?? {},
  });
  const pods = ['v1', 'v2', 'v3'].map((v, i) => ({
    v,
    name: `reviews-${v}-abc`,
    ip: `10.0.0.${i + 1}`,
  }));
  for (const p of pods) {
    m.pod(p.name, 'default', {
      ip: p.ip,
      labels: { app: 'reviews', version: p.v },
      workload: { kind: 'Deployment', name: `reviews-${p.v}`, labels: o.pods?.[p.v] ?? {} },
    });
  }
  m.endpoints(
    'reviews',
    'default',
    pods.map((p) => ({ pod: p.name, ip: p.ip, port: 9080 })),
    'http',
  );
  const translator = new Translator(m, o.opts);
  const snap = translator.snapshotFor('productpage-v1-xyz.default');
  const get = (type: TypeUrl, name: string): R | undefined => {
    const r = snap.items(type).get(name);
    return r ? readableResource(type, r.bytes) : undefined;
  };
  const api = get(TYPE.listener, 'reviews.default.svc.cluster.local:9080');
  return {
    translator,
    model: m,
    get,
    names: (type) => [...snap.items(type).keys()],
    cluster: get(TYPE.cluster, REVIEWS),
    cla: get(TYPE.endpoint, REVIEWS),
    route: get(TYPE.route, REVIEWS),
    hcm: api?.api_listener?.api_listener,
    outbound: get(TYPE.listener, 'outbound'),
  };
}
