// Hand-written breakages of the valid fixtures (fixtures.ts), each with the violation it must
// produce. A row is [kind, set, value, expect?, at?]: `kind` names the rule exercised, `set` is
// the dotted path replaced by `value` (DELETE removes it), `expect` is a text the violation
// contains (default: kind) and `at` its path (default: `set` with indexes in brackets).
export const DELETE = Symbol('delete');

export interface Mutation {
  kind: string;
  /** Key of validResources(). */
  resource: string;
  set: string;
  value: unknown;
  /** The expected violation's path, and a text it contains. */
  path: string;
  expect: string;
}

type Row = [kind: string, set: string, value: unknown, expect?: string, at?: string];

const HCM = 'api_listener.api_listener';
const FILTER = `${HCM}.http_filters.0.typed_config`;
const ROUTE1 = 'virtual_hosts.0.routes.1.route';
const ADDR = 'endpoints.0.lb_endpoints.0.endpoint.address.socket_address';
const LB = 'endpoints.0.lb_endpoints.0';
const HC = 'health_checks.0';
const HEADERS = 'virtual_hosts.0.request_headers_to_add';
const TCP = 'filter_chains.0.filters.0.typed_config';
const headers = (n: number, key = 'x-k', value = 'v'): object[] =>
  Array.from({ length: n }, () => ({ header: { key, value } }));
const policy = { policies: [{ typed_extension_config: { name: 'envoy.lb.round_robin' } }] };

const ROWS: Record<string, Row[]> = {
  cluster: [
    ['string.min_len', 'name', ''],
    ['duration.gt', 'connect_timeout', { seconds: -1 }],
    ['duration shape', `${HC}.interval`, { seconds: 1, nanos: 2e9 }, 'duration: nanos'],
    ['duration.required', `${HC}.timeout`, DELETE],
    ['message.required', `${HC}.healthy_threshold`, DELETE],
    ['enum name', 'type', 'STATIC_ISH', 'enum: unknown value "STATIC_ISH"'],
    ['enum.defined_only', 'type', 42],
    ['enum.not_in', `${HC}.http_health_check.method`, 'CONNECT'],
    ['unknown field', 'conect_timeout', { seconds: 1 }],
    ['strict HTTP_HEADER_VALUE', `${HC}.http_health_check.host`, 'a\u0001b', 'well_known_regex'],
    ['any.required', 'load_balancing_policy', policy],
    ['map.keys string.min_len', 'metadata', { filter_metadata: { '': {} } }, 'string.min_len'],
    ['double.lte', 'preconnect_policy', { per_upstream_preconnect_ratio: { value: 5 } }],
    ['uint64.lte', 'ring_hash_lb_config', { minimum_ring_size: { value: '9000000' } }],
  ],
  cla: [
    ['uint32.lte', `${ADDR}.port_value`, 70000],
    ['value type', `${ADDR}.port_value`, '80', 'expected uint32'],
    ['wrapper uint32.gte', `${LB}.load_balancing_weight`, { value: 0 }, 'uint32.gte'],
    ['wrapper shape', `${LB}.load_balancing_weight`, 1, 'expected google.protobuf.UInt32Value'],
  ],
  apiListener: [
    ['Any string.min_len', `${HCM}.stat_prefix`, DELETE, 'string.min_len'],
    ['Any unknown type', FILTER, { '@type': 'type.googleapis.com/not.a.Type' }, 'unknown Any'],
    ['items string.in', `${FILTER}.strict_check_headers`, ['x-bogus'], 'string.in'],
  ],
  route: [
    [
      'oneof required',
      ROUTE1,
      DELETE,
      'oneof action: validate.required',
      'virtual_hosts.0.routes.1',
    ],
    [
      'oneof exclusive',
      'virtual_hosts.0.routes.0.redirect',
      { path_redirect: '/x' },
      'only one of route, redirect',
    ],
    ['repeated.min_items', `${ROUTE1}.weighted_clusters.clusters`, []],
    ['repeated.max_items', HEADERS, headers(1001)],
    [
      'repeated.unique',
      `${ROUTE1}.internal_redirect_policy`,
      { response_headers_to_copy: ['x-a', 'x-a'] },
    ],
    ['message.required (plain)', 'virtual_hosts.0.routes.0.match', DELETE, 'message.required'],
    ['HTTP_HEADER_NAME', HEADERS, headers(1, 'x-bad\nkey'), 'well_known_regex'],
    ['items HTTP_HEADER_VALUE', 'virtual_hosts.0.domains.0', 'svc\r\n', 'well_known_regex'],
    ['string.max_bytes', HEADERS, headers(1, 'x-k', 'v'.repeat(16385))],
    ['string.pattern', 'virtual_hosts.0.routes.0.match', { path_separated_prefix: '/api/' }],
  ],
  tcpListener: [
    ['nested oneof required', 'address.socket_address', { address: '0.0.0.0' }, 'port_specifier'],
    ['tcp_proxy string.min_len', `${TCP}.stat_prefix`, '', 'string.min_len'],
    [
      'tcp_proxy uint32.gte',
      'filter_chains.1.filters.0.typed_config.weighted_clusters',
      { clusters: [{ name: 'a', weight: 0 }] },
      'uint32.gte',
    ],
    ['items uint32.gte', 'filter_chains.0.filter_chain_match.source_ports', [0], 'uint32.gte'],
  ],
};

/** Where each row's violation is expected when `at` is not given. */
const WHERE: Record<string, string> = {
  'oneof exclusive': 'virtual_hosts.0.routes.0',
  'any.required': 'load_balancing_policy.policies.0.typed_extension_config.typed_config',
  'map.keys string.min_len': 'metadata.filter_metadata[""]',
  'double.lte': 'preconnect_policy.per_upstream_preconnect_ratio',
  'uint64.lte': 'ring_hash_lb_config.minimum_ring_size',
  'repeated.max_items': HEADERS,
  'repeated.unique': `${ROUTE1}.internal_redirect_policy.response_headers_to_copy`,
  HTTP_HEADER_NAME: `${HEADERS}.0.header.key`,
  'string.max_bytes': `${HEADERS}.0.header.value`,
  'string.pattern': 'virtual_hosts.0.routes.0.match.path_separated_prefix',
  'items string.in': `${FILTER}.strict_check_headers.0`,
  'tcp_proxy uint32.gte':
    'filter_chains.1.filters.0.typed_config.weighted_clusters.clusters.0.weight',
  'items uint32.gte': 'filter_chains.0.filter_chain_match.source_ports.0',
};

/** 'a.0.b' → 'a[0].b', the validator's path spelling. */
function bracket(dotted: string): string {
  return dotted.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

export const MUTATIONS: readonly Mutation[] = Object.entries(ROWS).flatMap(([resource, rows]) =>
  rows.map(([kind, set, value, expect, at]): Mutation => {
    const path = bracket(at ?? WHERE[kind] ?? set);
    return { kind, resource, set, value, path, expect: expect ?? kind };
  }),
);

/** Applies one mutation to `root` (already a private copy). Throws if the path is wrong. */
export function applyMutation(root: object, set: string, value: unknown): void {
  const keys = set.split('.');
  const last = keys.pop() ?? '';
  let cur: unknown = root;
  for (const k of keys) {
    cur = typeof cur === 'object' && cur !== null ? Reflect.get(cur, k) : undefined;
  }
  if (typeof cur !== 'object' || cur === null) throw new Error(`mutation path ${set} not found`);
  if (value === DELETE) Reflect.deleteProperty(cur, last);
  else Reflect.set(cur, last, value);
}
