// The ingress gateway's translation for tests: the snapshot of node traffic-ingress, decoded with
// Envoy's protos (readable, as in config dumps), its issues, and the raw input for validation.
import { readableResource } from '../../control/admin/readable.js';
import type { GatewayResult } from '../../control/translate/ingress/gateway.js';
import { GATEWAY_NODE } from '../../control/translate/names.js';
import type { TranslateOptions } from '../../control/translate/service.js';
import { Translator } from '../../control/translate/translator.js';
import type { Snapshot, SnapshotInput } from '../../control/xds/snapshot.js';
import { PUSH_ORDER, TYPE, type TypeUrl } from '../../control/xds/types.js';
import type { ModelBuilder } from './model.js';
import type { R } from './translate-fixture.js';

export interface Gateway {
  translator: Translator;
  snapshot: Snapshot;
  result: GatewayResult;
  get(type: TypeUrl, name: string): R | undefined;
  names(type: TypeUrl): string[];
  /** The `ingress_http` route table's virtual hosts. */
  vhosts: R[];
  /** Virtual host `host` of ingress_http: its routes as [name, match, action]. */
  routes(host: string): [string, R, R][];
  issues: { key: string; value: string; message: string; name: string }[];
}

export function gateway(m: ModelBuilder, opts: Partial<TranslateOptions> = {}): Gateway {
  const translator = new Translator(m, opts);
  const snapshot = translator.snapshotFor(GATEWAY_NODE);
  const result = translator.gatewayResult();
  const get = (type: TypeUrl, name: string): R | undefined => {
    const r = snapshot.items(type).get(name);
    return r ? readableResource(type, r.bytes) : undefined;
  };
  const vhosts: R[] = get(TYPE.route, 'ingress_http')?.virtual_hosts ?? [];
  return {
    translator,
    snapshot,
    result,
    get,
    names: (type) => [...snapshot.items(type).keys()],
    vhosts,
    routes: (host) =>
      (vhosts.find((v) => v.domains?.includes(host))?.routes ?? []).map((r: R) => [
        r.name,
        r.match,
        r.route,
      ]),
    issues: result.issues.map((i) => ({
      key: i.key,
      value: i.value,
      message: i.message,
      name: `${i.namespace}/${i.name}`,
    })),
  };
}

/** A snapshot's resources back in SnapshotInput form (the objects they were encoded from). */
export function inputOf(snap: Snapshot): SnapshotInput {
  const out: SnapshotInput = {};
  for (const url of PUSH_ORDER) {
    const items = [...snap.items(url).values()];
    if (items.length > 0) out[url] = items.map((r) => ({ name: r.name, resource: r.source }));
  }
  return out;
}
