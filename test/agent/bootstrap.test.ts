// The proxy's bootstrap read back through Envoy's own Bootstrap proto: no unknown or mistyped
// field anywhere (Any contents included), PGV rules hold, an encode/decode round trip keeps the
// node, ADS, xDS cluster, admin and stats listener; invalid input is a validation result that
// names the field; the command line carries the same bootstrap as JSON.
import protobuf from 'protobufjs';
import t, { type Test } from 'tap';
import {
  ADMIN_CLUSTER,
  STATS_LISTENER,
  XDS_CLUSTER,
  bootstrapArgs,
  buildBootstrap,
  type BootstrapInput,
} from '../../agent/bootstrap.js';
import { readableResource } from '../../control/admin/readable.js';
import { lookupType } from '../../control/xds/proto/load.js';
import { unknownField } from '../../control/xds/strict.js';
import { validateMessage } from '../validate/pgv.js';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

const input: BootstrapInput = {
  podName: 'reviews-v1-7d9f8c6b5-x2x4z',
  namespace: 'default',
  podIp: '10.244.1.7',
  xdsAddress: 'traffic-control.traffic-system.svc.cluster.local',
  xdsPort: 18000,
  adminPort: 8900,
  statsPort: 15090,
  capturePort: 10000,
};

// ---- proto3 JSON (what Envoy reads) → protobufjs's object form (what fromObject takes) ----
// Only values in the JSON spelling of a well-known type are converted; anything else is left as
// it is, so unknownField still sees every misspelt or mistyped field.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (w) => `.google.protobuf.${w}Value`,
  ),
);

function duration(s: string): unknown {
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) return s;
  const nanos = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  return nanos ? { seconds: Number(m[1]), nanos } : { seconds: Number(m[1]) };
}

function structValue(valueType: protobuf.Type, v: unknown): Record<string, unknown> {
  const f = (id: number): string => valueType.fieldsById[id].name;
  if (v === null) return { [f(1)]: 'NULL_VALUE' };
  if (typeof v === 'number') return { [f(2)]: v };
  if (typeof v === 'string') return { [f(3)]: v };
  if (typeof v === 'boolean') return { [f(4)]: v };
  if (Array.isArray(v)) return { [f(6)]: { values: v.map((x) => structValue(valueType, x)) } };
  return { [f(5)]: struct(valueType, v as Record<string, unknown>) };
}

function struct(valueType: protobuf.Type, obj: Record<string, unknown>): unknown {
  const fields = Object.entries(obj).map(([k, v]) => [k, structValue(valueType, v)]);
  return { fields: Object.fromEntries(fields) };
}

function special(type: protobuf.Type, v: unknown): { hit: boolean; out?: unknown } {
  const name = type.fullName;
  if (name === '.google.protobuf.Duration' && typeof v === 'string') {
    return { hit: true, out: duration(v) };
  }
  if (WRAPPERS.has(name) && !isRecord(v)) return { hit: true, out: { value: v } };
  if (name === '.google.protobuf.Struct' && isRecord(v)) {
    return { hit: true, out: struct(type.root.lookupType('google.protobuf.Value'), v) };
  }
  return { hit: false };
}

function fieldValue(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return v;
  if (field.repeated && Array.isArray(v)) return v.map((x) => fromProto3Json(t, x));
  if (field.map && isRecord(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromProto3Json(t, x)]));
  }
  return fromProto3Json(t, v);
}

function fromProto3Json(type: protobuf.Type, v: unknown): unknown {
  const sp = special(type, v);
  if (sp.hit) return sp.out;
  if (!isRecord(v)) return v;
  let target = type;
  if (type.fullName === '.google.protobuf.Any' && typeof v['@type'] === 'string') {
    const url = v['@type'];
    target = type.root.lookupType(url.slice(url.lastIndexOf('/') + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const field = target.fields[k];
    out[k] = field ? fieldValue(field, x) : x;
  }
  return out;
}

type Key = string | number;

/** The value at `path` inside decoded objects, or undefined. */
function at(v: unknown, ...path: Key[]): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<Key, unknown>)[k];
  }
  return cur;
}

function list(v: unknown, ...path: Key[]): unknown[] {
  const found = at(v, ...path);
  return Array.isArray(found) ? (found as unknown[]) : [];
}

/** Strict check, PGV check, fromObject → encode → decode; the decoded message as an object. */
function decode(tt: Test, bootstrap: Record<string, unknown>): Record<string, unknown> {
  const type = lookupType(BOOTSTRAP);
  const pbjs = fromProto3Json(type, bootstrap) as Record<string, unknown>;
  tt.equal(unknownField(type, pbjs), null, 'no unknown or mistyped field, Any contents included');
  tt.same(validateMessage(type, pbjs), [], 'the PGV rules of the Envoy protos hold');
  const bytes = type.encode(type.fromObject(pbjs)).finish();
  // Read back in proto3 JSON form (Struct aside, which that reader leaves as protobufjs has it),
  // the decoded bootstrap is the one built: the round trip dropped nothing.
  const back = readableResource(BOOTSTRAP, bytes);
  const node = { ...(back.node as object), metadata: at(bootstrap, 'node', 'metadata') };
  tt.strictSame({ ...back, node }, bootstrap, 'encode/decode keeps every field');
  return type.toObject(type.decode(bytes), { enums: String, longs: Number });
}

/** An Any field decoded back into its own type. */
function unpack(any: unknown): Record<string, unknown> {
  const url = at(any, 'type_url');
  const value = at(any, 'value');
  if (typeof url !== 'string' || !(value instanceof Uint8Array)) throw new Error('not an Any');
  const inner = lookupType(url.slice(url.lastIndexOf('/') + 1));
  return inner.toObject(inner.decode(value), { enums: String, longs: Number });
}

const firstEndpoint = (cluster: unknown): unknown =>
  at(cluster, 'load_assignment', 'endpoints', 0, 'lb_endpoints', 0, 'endpoint', 'address');

t.test('the bootstrap decodes as an Envoy v3 Bootstrap with the expected content', async (tt) => {
  const b = buildBootstrap(input);
  if (!b.valid) throw new Error(`unexpected: ${b.errors.join('; ')}`);
  const o = decode(tt, b.result);

  tt.equal(at(o, 'node', 'id'), 'reviews-v1-7d9f8c6b5-x2x4z.default', 'node id <pod>.<namespace>');
  tt.equal(at(o, 'node', 'cluster'), 'reviews-v1-7d9f8c6b5-x2x4z.default', 'node cluster too');
  const meta = at(o, 'node', 'metadata', 'fields');
  tt.equal(at(meta, 'POD_IP', 'stringValue'), '10.244.1.7');
  tt.equal(at(meta, 'CAPTURE_PORT', 'numberValue'), 10000);

  tt.strictSame(at(o, 'admin'), {
    address: { socket_address: { address: '127.0.0.1', port_value: 8900 } },
  });

  tt.strictSame(at(o, 'dynamic_resources', 'ads_config'), {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
    set_node_on_first_message_only: true,
  });
  for (const k of ['cds_config', 'lds_config']) {
    tt.strictSame(at(o, 'dynamic_resources', k), { ads: {}, resource_api_version: 'V3' }, k);
  }

  const clusters = list(o, 'static_resources', 'clusters');
  tt.strictSame(
    clusters.map((c) => at(c, 'name')),
    [XDS_CLUSTER, ADMIN_CLUSTER],
    'xDS and admin clusters only',
  );
  const [xds, admin] = clusters;
  tt.equal(at(xds, 'type'), 'STRICT_DNS');
  tt.strictSame(at(xds, 'connect_timeout'), { seconds: 2 });
  tt.strictSame(firstEndpoint(xds), {
    socket_address: { address: input.xdsAddress, port_value: 18000 },
  });
  const options = at(xds, 'typed_extension_protocol_options');
  const http = unpack(at(options, 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'));
  tt.strictSame(http, { explicit_http_config: { http2_protocol_options: {} } }, 'HTTP/2 to xDS');
  tt.equal(at(admin, 'type'), 'STATIC');
  tt.strictSame(firstEndpoint(admin), {
    socket_address: { address: '127.0.0.1', port_value: 8900 },
  });

  const listeners = list(o, 'static_resources', 'listeners');
  tt.equal(listeners.length, 1, 'no listener but the stats one');
  const stats = listeners[0];
  tt.equal(at(stats, 'name'), STATS_LISTENER);
  tt.strictSame(at(stats, 'address'), {
    socket_address: { address: '0.0.0.0', port_value: 15090 },
  });
  const filter = at(stats, 'filter_chains', 0, 'filters', 0);
  tt.equal(at(filter, 'name'), 'envoy.filters.network.http_connection_manager');
  const hcm = unpack(at(filter, 'typed_config'));
  tt.strictSame(list(hcm, 'route_config', 'virtual_hosts', 0, 'routes'), [
    {
      match: { path: '/stats/prometheus' },
      route: { cluster: ADMIN_CLUSTER, prefix_rewrite: '/stats/prometheus' },
    },
    { match: { prefix: '/' }, direct_response: { status: 404 } },
  ]);
  tt.strictSame(at(hcm, 'route_config', 'virtual_hosts', 0, 'domains'), ['*']);
  tt.equal(at(list(hcm, 'http_filters').at(-1), 'name'), 'envoy.filters.http.router');
});

t.test('xdsApi: GRPC (SotW) by default and for sotw, DELTA_GRPC for delta', async (tt) => {
  for (const [xdsApi, apiType] of [
    [undefined, 'GRPC'],
    ['sotw', 'GRPC'],
    ['delta', 'DELTA_GRPC'],
  ] as const) {
    const b = buildBootstrap(xdsApi === undefined ? input : { ...input, xdsApi });
    if (!b.valid) throw new Error(`unexpected: ${b.errors.join('; ')}`);
    const o = decode(tt, b.result);
    tt.strictSame(
      at(o, 'dynamic_resources', 'ads_config'),
      {
        api_type: apiType,
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
        set_node_on_first_message_only: true,
      },
      `${xdsApi ?? 'default'}: api_type ${apiType}`,
    );
    for (const k of ['cds_config', 'lds_config']) {
      tt.strictSame(at(o, 'dynamic_resources', k), { ads: {}, resource_api_version: 'V3' }, k);
    }
  }
});

t.test('zipkin adds one static STRICT_DNS cluster; podIp is optional', async (tt) => {
  const noIp: BootstrapInput = { ...input, podIp: undefined };
  const b = buildBootstrap({ ...noIp, zipkin: { address: 'traffic-zipkin.tracing', port: 9411 } });
  if (!b.valid) throw new Error(`unexpected: ${b.errors.join('; ')}`);
  const o = decode(tt, b.result);
  const zipkin = list(o, 'static_resources', 'clusters').find((c) => at(c, 'name') === 'zipkin');
  tt.equal(at(zipkin, 'type'), 'STRICT_DNS');
  tt.strictSame(firstEndpoint(zipkin), {
    socket_address: { address: 'traffic-zipkin.tracing', port_value: 9411 },
  });
  tt.equal(at(o, 'node', 'metadata', 'fields', 'POD_IP'), undefined, 'no POD_IP without podIp');
});

t.test('IP addresses are accepted for xDS and Zipkin', async (tt) => {
  for (const xdsAddress of ['10.96.0.20', 'fd00:10:96::20', 'traffic-control']) {
    const b = buildBootstrap({ ...input, xdsAddress, zipkin: { address: '10.0.0.9', port: 9411 } });
    tt.equal(b.valid, true, xdsAddress);
    if (b.valid) decode(tt, b.result);
  }
});

t.test('invalid input is a validation result naming the field', async (tt) => {
  const cases: [string, Partial<BootstrapInput>, RegExp][] = [
    ['pod name with capitals', { podName: 'Reviews' }, /^podName: /],
    ['pod name with a slash', { podName: 'a/b' }, /^podName: /],
    ['namespace with a dot', { namespace: 'a.b' }, /^namespace: /],
    ['port 0', { xdsPort: 0 }, /^xdsPort: must be an integer 1\.\.65535, got 0$/],
    ['port 70000', { adminPort: 70000 }, /^adminPort: .*70000/],
    ['fractional port', { statsPort: 15090.5 }, /^statsPort: /],
    ['capture port 0', { capturePort: 0 }, /^capturePort: /],
    ['address with a space', { xdsAddress: 'traffic control' }, /^xdsAddress: /],
    ['address with shell metacharacters', { xdsAddress: 'x;rm -rf /' }, /^xdsAddress: /],
    ['address with $()', { xdsAddress: '$(reboot)' }, /^xdsAddress: /],
    ['address with a port', { xdsAddress: 'traffic-control:18000' }, /^xdsAddress: /],
    ['empty address', { xdsAddress: '' }, /^xdsAddress: /],
    ['malformed IPv4 address', { xdsAddress: '10.0.0.300' }, /^xdsAddress: /],
    ['IPv6 with a zone', { xdsAddress: 'fe80::1%eth0' }, /^xdsAddress: /],
    ['bad pod IP', { podIp: '10.0.0.300' }, /^podIp: /],
    ['zipkin address', { zipkin: { address: 'a b', port: 9411 } }, /^zipkin\.address: /],
    ['zipkin port', { zipkin: { address: 'zipkin', port: 0 } }, /^zipkin\.port: /],
    ['stats on the admin port', { statsPort: 8900 }, /^statsPort: must differ from adminPort/],
    ['capture on the stats port', { capturePort: 15090 }, /^capturePort: must differ/],
    ['concurrency 0', { concurrency: 0 }, /^concurrency: /],
    [
      'unknown xdsApi',
      { xdsApi: 'incremental' as BootstrapInput['xdsApi'] },
      /^xdsApi: must be sotw or delta, got "incremental"$/,
    ],
  ];
  for (const [what, patch, re] of cases) {
    const b = buildBootstrap({ ...input, ...patch });
    tt.equal(b.valid, false, what);
    if (!b.valid) tt.match(b.errors.join('\n'), re, what);
    tt.equal(bootstrapArgs({ ...input, ...patch }).valid, false, `${what}: no command line`);
  }
  const many = buildBootstrap({ ...input, podName: 'X', xdsPort: 0, xdsAddress: 'a b' });
  tt.same(many.valid ? [] : many.errors.map((e) => e.split(':')[0]), [
    'podName',
    'xdsAddress',
    'xdsPort',
  ]);
});

t.test('bootstrapArgs: --config-yaml with the bootstrap as JSON, then the flags', async (tt) => {
  const b = buildBootstrap(input);
  const a = bootstrapArgs({ ...input, concurrency: 2 }, { baseId: 7, logLevel: 'debug' });
  if (!a.valid || !b.valid) throw new Error('unexpected invalid input');
  tt.equal(a.result[0], '--config-yaml');
  tt.strictSame(JSON.parse(a.result[1] ?? ''), b.result, 'the same bootstrap');
  tt.same(a.result.slice(2), [
    '--base-id',
    '7',
    '--log-level',
    'debug',
    '--drain-time-s',
    '45',
    '--concurrency',
    '2',
  ]);

  const d = bootstrapArgs(input);
  tt.same(d.valid ? d.result.slice(2) : d.errors, [
    '--base-id',
    '8900',
    '--log-level',
    'info',
    '--drain-time-s',
    '45',
  ]);
  const bad = bootstrapArgs(input, { logLevel: 'loud', baseId: -1, drainTimeS: 1.5 });
  tt.same(bad.valid ? [] : bad.errors.map((e) => e.split(':')[0]), [
    'baseId',
    'logLevel',
    'drainTimeS',
  ]);
});

t.test('the strict check catches what fromObject would drop', async (tt) => {
  // The checker used above is not vacuous: a misspelt field and a bad Any member are reported.
  const type = lookupType(BOOTSTRAP);
  const b = buildBootstrap(input);
  if (!b.valid) throw new Error('unexpected invalid input');
  const misspelt = { ...b.result, admin: { adress: {} } };
  tt.match(unknownField(type, fromProto3Json(type, misspelt) as never), /^admin\.adress: /);
  const bad = structuredClone(b.result);
  Object.assign(at(bad, 'static_resources', 'clusters', 0) as object, {
    connect_timeout: '2 seconds',
  });
  tt.match(unknownField(type, fromProto3Json(type, bad) as never), /connect_timeout/);
  const badAny = structuredClone(b.result);
  const hcm = at(badAny, 'static_resources', 'listeners', 0, 'filter_chains', 0, 'filters', 0);
  Object.assign(at(hcm, 'typed_config') as object, { stat_prefx: 'x' });
  tt.match(unknownField(type, fromProto3Json(type, badAny) as never), /stat_prefx: no such field/);
});
