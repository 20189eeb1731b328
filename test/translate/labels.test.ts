// Golden tests per label: what each traffic.* label becomes in Envoy's resources (decoded with
// Envoy's own protos), including the original README's examples.
import t from 'tap';
import { TYPE } from '../../control/xds/types.js';
import { REVIEWS, reviews, type R } from '../support/translate-fixture.js';

const HTTP = { 'traffic.port.9080': 'http' };

t.test('no traffic.port label: nothing is proxied, callers hit the blackhole', async (t) => {
  const r = reviews({});
  t.same(r.names(TYPE.cluster), []);
  t.same(r.outbound?.filter_chains ?? [], []);
  t.equal(r.outbound?.default_filter_chain?.name, 'blackhole');
  const hcm = r.outbound?.default_filter_chain?.filters?.[0]?.typed_config;
  t.equal(hcm?.route_config?.virtual_hosts?.[0]?.routes?.[0]?.direct_response?.status, 404);
  t.equal(hcm?.stat_prefix, 'http');
});

t.test(
  'traffic.port.9080=http: EDS cluster, endpoints on the target port, RDS, VIP chain',
  async (t) => {
    const r = reviews(HTTP);
    t.same(r.cluster, {
      name: REVIEWS,
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
      connect_timeout: '60s',
      lb_policy: 'ROUND_ROBIN',
    });
    const eps = r.cla?.endpoints?.[0]?.lb_endpoints ?? [];
    t.same(
      eps.map((e: R) => [
        e.endpoint.address.socket_address.address,
        e.endpoint.address.socket_address.port_value,
        e.load_balancing_weight,
      ]),
      [
        ['10.0.0.1', 9080, 100],
        ['10.0.0.2', 9080, 100],
        ['10.0.0.3', 9080, 100],
      ],
    );
    const chain = r.outbound?.filter_chains?.[0];
    t.same(chain?.filter_chain_match, {
      destination_port: 9080,
      prefix_ranges: [{ address_prefix: '10.96.0.20', prefix_len: 32 }],
    });
    const hcm = chain?.filters?.[0]?.typed_config;
    t.equal(hcm?.stat_prefix, REVIEWS, 'stats keep the original names');
    t.equal(hcm?.rds?.route_config_name, REVIEWS);
    t.same(
      hcm?.http_filters?.map((f: R) => f.name),
      [
        'envoy.filters.http.fault',
        'envoy.filters.http.bandwidth_limit',
        'envoy.filters.http.router',
      ],
      'the filter list never changes with labels: policy rides on the routes',
    );
    t.same(r.route?.virtual_hosts?.[0]?.routes?.[0]?.route, { cluster: REVIEWS });
    t.equal(r.outbound?.address?.socket_address?.port_value, 10000);
    t.equal(r.outbound?.listener_filters?.[0]?.name, 'envoy.filters.listener.original_dst');
  },
);

t.test('README example: weights 100 / 10 / 0 give 2 endpoints', async (t) => {
  const r = reviews(HTTP, {
    pods: {
      v1: { 'traffic.endpoint.weight': '100' },
      v2: { 'traffic.endpoint.weight': '10' },
      v3: { 'traffic.endpoint.weight': '0' },
    },
  });
  const eps = r.cla?.endpoints?.[0]?.lb_endpoints ?? [];
  t.same(
    eps.map((e: R) => [e.endpoint.address.socket_address.address, e.load_balancing_weight]),
    [
      ['10.0.0.1', 100],
      ['10.0.0.2', 10],
    ],
  );
});

t.test('lb policy (case-insensitive) and README cookie hash with ttl', async (t) => {
  const r = reviews({
    ...HTTP,
    'traffic.lb.policy': 'ring_hash',
    'traffic.hash.cookie.name': 'mycookie',
    'traffic.hash.cookie.ttl': '100000',
  });
  t.equal(r.cluster?.lb_policy, 'RING_HASH');
  t.same(r.route?.virtual_hosts?.[0]?.routes?.[0]?.route?.hash_policy, [
    { cookie: { name: 'mycookie', ttl: '100000s' } },
  ]);
  const h = reviews({
    ...HTTP,
    'traffic.lb.policy': 'MAGLEV',
    'traffic.hash.header.name': 'x-user',
  });
  t.equal(h.cluster?.lb_policy, 'MAGLEV');
  t.same(h.route?.virtual_hosts?.[0]?.routes?.[0]?.route?.hash_policy, [
    { header: { header_name: 'x-user' } },
  ]);
});

t.test('faults: README 3000 ms delay (milliseconds, not nanoseconds) and abort 505', async (t) => {
  const r = reviews({
    ...HTTP,
    'traffic.fault.delay.time': '3000',
    'traffic.fault.delay.percentage': '100',
    'traffic.fault.abort.status': '505',
    'traffic.fault.abort.percentage': '12.5',
  });
  const fault = r.route?.virtual_hosts?.[0]?.typed_per_filter_config?.['envoy.filters.http.fault'];
  t.same(fault?.delay, {
    fixed_delay: '3s',
    percentage: { numerator: 100, denominator: 'HUNDRED' },
  });
  t.same(fault?.abort, {
    http_status: 505,
    percentage: { numerator: 125000, denominator: 'MILLION' },
  });
  t.same(
    r.hcm?.http_filters?.[0],
    {
      name: 'envoy.filters.http.fault',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
      },
    },
    'the listener filter itself is inert',
  );
  t.equal(r.hcm?.http_filters?.at(-1)?.name, 'envoy.filters.http.router', 'the router stays last');
  const noPct = reviews({ ...HTTP, 'traffic.fault.delay.time': '3000' });
  t.equal(
    noPct.route?.virtual_hosts?.[0]?.typed_per_filter_config,
    undefined,
    'a delay without a percentage injects nothing',
  );
});

t.test('rate limit takes effect: bandwidth_limit enabled on requests and responses', async (t) => {
  const r = reviews({ ...HTTP, 'traffic.rate.limit': '512' });
  t.same(
    r.route?.virtual_hosts?.[0]?.typed_per_filter_config?.['envoy.filters.http.bandwidth_limit'],
    {
      '@type':
        'type.googleapis.com/envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit',
      stat_prefix: REVIEWS,
      enable_mode: 'REQUEST_AND_RESPONSE',
      limit_kbps: 512,
    },
  );
  const bw = r.hcm?.http_filters?.find((f: R) => f.name === 'envoy.filters.http.bandwidth_limit');
  t.equal(bw?.is_optional, true, 'optional: proxyless gRPC clients lack it');
});

t.test('retries combine; timeouts; circuit breakers', async (t) => {
  const r = reviews({
    ...HTTP,
    'traffic.retries.5xx': '2',
    'traffic.retries.connect-failure': '4',
    'traffic.request.timeout': '1500',
    'traffic.connection.timeout': '2s',
    'traffic.connection.max': '10',
    'traffic.request.max-pending': '5',
    'traffic.request.max': '20',
    'traffic.retries.max': '3',
  });
  const route = r.route?.virtual_hosts?.[0]?.routes?.[0]?.route;
  t.same(route?.retry_policy, { retry_on: '5xx,connect-failure', num_retries: 4 });
  t.equal(route?.timeout, '1.5s');
  t.equal(r.cluster?.connect_timeout, '2s');
  t.same(r.cluster?.circuit_breakers, {
    thresholds: [
      {
        priority: 'DEFAULT',
        max_connections: 10,
        max_pending_requests: 5,
        max_requests: 20,
        max_retries: 3,
      },
    ],
  });
});

t.test('tracing with a Zipkin collector configured; off without one', async (t) => {
  const r = reviews(
    { ...HTTP, 'traffic.tracing.enabled': 'true', 'traffic.tracing.sampling': '25' },
    { opts: { zipkin: { host: 'zipkin.traffic-system.svc.cluster.local', port: 9411 } } },
  );
  t.equal(r.hcm?.tracing?.random_sampling?.value, 25);
  t.equal(r.hcm?.tracing?.provider?.typed_config?.collector_cluster, 'zipkin');
  t.ok(r.names(TYPE.cluster).includes('zipkin'));
  const off = reviews({ ...HTTP, 'traffic.tracing.enabled': 'true' });
  t.equal(off.hcm?.tracing, undefined);
});

t.test(
  'version split: subsets by the version label, weighted route, independent of replicas',
  async (t) => {
    const r = reviews({
      ...HTTP,
      'traffic.version.v1.weight': '80',
      'traffic.version.v2.weight': '20',
    });
    t.same(r.names(TYPE.cluster), [
      REVIEWS,
      '9080|default|reviews|v1.outbound',
      '9080|default|reviews|v2.outbound',
    ]);
    const sub = r.get(TYPE.endpoint, '9080|default|reviews|v2.outbound');
    t.same(
      sub?.endpoints?.[0]?.lb_endpoints?.map((e: R) => e.endpoint.address.socket_address.address),
      ['10.0.0.2'],
    );
    t.same(r.route?.virtual_hosts?.[0]?.routes?.[0]?.route?.weighted_clusters, {
      clusters: [
        { name: '9080|default|reviews|v1.outbound', weight: 80 },
        { name: '9080|default|reviews|v2.outbound', weight: 20 },
      ],
    });
    const all = reviews({
      ...HTTP,
      'traffic.version.v1.weight': '0',
      'traffic.version.v2.weight': '100',
    });
    t.same(all.route?.virtual_hosts?.[0]?.routes?.[0]?.route, {
      cluster: '9080|default|reviews|v2.outbound',
    });
  },
);

t.test(
  'dark launch: a header (label or annotation) routes to one version before the weights',
  async (t) => {
    const r = reviews({
      ...HTTP,
      'traffic.version.v1.weight': '100',
      'traffic.version.v2.header.end-user': 'jason',
    });
    const routes = r.route?.virtual_hosts?.[0]?.routes;
    t.same(routes?.[0]?.match, {
      prefix: '/',
      headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
    });
    t.equal(routes?.[0]?.route?.cluster, '9080|default|reviews|v2.outbound');
    t.equal(routes?.[1]?.route?.cluster, '9080|default|reviews|v1.outbound');
    const a = reviews(
      { ...HTTP, 'traffic.version.v1.weight': '100' },
      { annotations: { 'traffic.version.v2.header.authorization': 'Bearer tester' } },
    );
    t.same(a.route?.virtual_hosts?.[0]?.routes?.[0]?.match?.headers, [
      { name: 'authorization', string_match: { exact: 'Bearer tester' } },
    ]);
  },
);

t.test('grpc ports: HTTP/2 upstream and gRPC retry conditions', async (t) => {
  const r = reviews({ 'traffic.port.9080': 'grpc', 'traffic.retries.5xx': '3' });
  t.same(
    r.cluster?.typed_extension_protocol_options?.[
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
    ]?.explicit_http_config,
    { http2_protocol_options: {} },
  );
  t.equal(
    r.route?.virtual_hosts?.[0]?.routes?.[0]?.route?.retry_policy?.retry_on,
    '5xx,unavailable,internal',
  );
});

t.test('tcp and direct ports', async (t) => {
  const tcp = reviews({ 'traffic.port.9080': 'tcp' });
  const f = tcp.outbound?.filter_chains?.[0]?.filters?.[0];
  t.equal(f?.name, 'envoy.filters.network.tcp_proxy');
  t.equal(f?.typed_config?.cluster, REVIEWS);
  t.equal(tcp.route, undefined, 'no route table for tcp');
  const direct = reviews({ 'traffic.port.9080': 'direct' });
  t.equal(direct.outbound?.filter_chains?.[0]?.filters?.[0]?.typed_config?.cluster, 'passthrough');
  t.same(direct.get(TYPE.cluster, 'passthrough'), {
    name: 'passthrough',
    type: 'ORIGINAL_DST',
    connect_timeout: '10s',
    lb_policy: 'CLUSTER_PROVIDED',
  });
});
