// One proxy's snapshot input from the bundles of the Services it may call: every cluster,
// endpoint set and route table of those Services, their api_listeners, and one outbound
// listener on the capture port whose filter chains match each Service's VIP:port (or pod IP:port
// for headless Services), everything else falling to the blackhole chain.
import type { SnapshotInput } from '../xds/snapshot.js';
import { TYPE } from '../xds/types.js';
import { PASSTHROUGH, zipkinCluster } from './cluster.js';
import { ANY } from './envoy.js';
import { blackholeManager } from './http.js';
import { OUTBOUND_LISTENER } from './names.js';
import type { ListenerMemo } from './reuse.js';
import type { Chain, Named, ServiceBundle, TranslateOptions } from './service.js';

/** Does an egress list (`name.namespace`, `*.namespace`) allow Service `namespace/name`? */
export function allowed(key: string, egress: readonly string[] | undefined): boolean {
  if (!egress) return true;
  const [ns, name] = key.split('/');
  return egress.includes(`${name}.${ns}`) || egress.includes(`*.${ns}`);
}

function uniqueChains(bundles: readonly ServiceBundle[]): Chain[] {
  const seen = new Map<string, Chain>();
  for (const b of bundles) for (const c of b.chains) if (!seen.has(c.match)) seen.set(c.match, c);
  return [...seen.values()].sort((a, b) => (a.match < b.match ? -1 : a.match > b.match ? 1 : 0));
}

export function outboundListener(
  chains: readonly Chain[],
  opts: TranslateOptions,
  ipv6: boolean,
): object {
  const address = (ip: string): object => ({
    socket_address: { address: ip, port_value: opts.capturePort },
  });
  return {
    name: OUTBOUND_LISTENER,
    address: address('0.0.0.0'),
    ...(ipv6 ? { additional_addresses: [{ address: address('::') }] } : {}),
    traffic_direction: 'OUTBOUND',
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': ANY.originalDst } },
    ],
    filter_chains: chains.map((c) => c.chain),
    default_filter_chain: {
      name: 'blackhole',
      filters: [
        { name: 'envoy.filters.network.http_connection_manager', typed_config: blackholeManager() },
      ],
    },
  };
}

const flat = (bundles: readonly ServiceBundle[], pick: (b: ServiceBundle) => Named[]): Named[] =>
  bundles.flatMap(pick);

export function assembleNode(
  bundles: readonly ServiceBundle[],
  opts: TranslateOptions,
  ipv6: boolean,
  memo?: { listeners: ListenerMemo; scope: string },
): SnapshotInput {
  const clusters = flat(bundles, (b) => b.clusters);
  if (bundles.some((b) => b.passthrough))
    clusters.push({ name: PASSTHROUGH.name, resource: PASSTHROUGH });
  if (opts.zipkin && bundles.some((b) => b.tracing)) {
    clusters.push({ name: 'zipkin', resource: zipkinCluster(opts.zipkin.host, opts.zipkin.port) });
  }
  const chains = uniqueChains(bundles);
  const build = (): object => outboundListener(chains, opts, ipv6);
  const listener = memo ? memo.listeners.listener(memo.scope, chains, build) : build();
  return {
    [TYPE.cluster]: clusters,
    [TYPE.endpoint]: flat(bundles, (b) => b.endpoints),
    [TYPE.listener]: [
      { name: OUTBOUND_LISTENER, resource: listener },
      ...flat(bundles, (b) => b.apiListeners),
    ],
    [TYPE.route]: flat(bundles, (b) => b.routes),
  };
}
