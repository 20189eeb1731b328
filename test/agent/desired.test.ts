// The agent's pure decisions: which pods get a proxy (pod label wins over the workload's, invalid
// values mean off, hostNetwork / own pods / not running / finished pods never), and the capture
// options from annotations (malformed ones reported, defaults kept).
import type * as k8s from '@kubernetes/client-node';
import t from 'tap';
import { captureFor } from '../../agent/annotations.js';
import { desiredFor, enabledValue, familiesOf } from '../../agent/desired.js';
import { DEFAULT_CAPTURE } from '../../iptables/index.js';

function pod(
  o: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    spec?: Partial<k8s.V1PodSpec>;
    status?: Partial<k8s.V1PodStatus>;
    name?: string;
  } = {},
): k8s.V1Pod {
  return {
    metadata: {
      name: o.name ?? 'web-1',
      namespace: 'default',
      uid: 'u1',
      labels: o.labels ?? {},
      annotations: o.annotations ?? {},
    },
    spec: { containers: [{ name: 'app' }], ...o.spec },
    status: { phase: 'Running', podIP: '10.0.0.5', ...o.status },
  };
}

const base = DEFAULT_CAPTURE;

t.test('enabled: the pod label wins over the workload, invalid means off', async (t) => {
  const on = { 'traffic.envoy.enabled': 'true' };
  const off = { 'traffic.envoy.enabled': 'false' };
  t.equal(enabledValue(pod({ labels: on }), undefined), true);
  t.equal(enabledValue(pod({ labels: off }), 'true'), false, 'pod false beats workload true');
  t.equal(enabledValue(pod({ labels: on }), 'false'), true, 'pod true beats workload false');
  t.equal(enabledValue(pod(), 'TRUE'), true, 'workload label, case-insensitive');
  t.equal(enabledValue(pod(), undefined), false, 'default off');
  t.equal(
    enabledValue(pod({ labels: { 'traffic.envoy.enabled': 'yes' } }), 'true'),
    false,
    'an invalid pod label is off',
  );
});

t.test('pods never proxied, or not yet', async (t) => {
  const on = { 'traffic.envoy.enabled': 'true' };
  const cases: Array<[string, k8s.V1Pod, RegExp]> = [
    ['hostNetwork', pod({ labels: on, spec: { hostNetwork: true } }), /host network/],
    [
      'own component',
      pod({ labels: { ...on, 'app.kubernetes.io/part-of': 'traffic-manager' } }),
      /traffic-manager pod/,
    ],
    ['pending', pod({ labels: on, status: { phase: 'Pending' } }), /Pending/],
    ['no IP', pod({ labels: on, status: { phase: 'Running', podIP: '' } }), /no IP/],
    [
      'finished Job',
      pod({
        labels: on,
        status: {
          phase: 'Running',
          podIP: '10.0.0.5',
          containerStatuses: [
            {
              name: 'app',
              image: '',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 0 } },
            },
          ],
        },
      }),
      /exited/,
    ],
  ];
  for (const [what, p, why] of cases) {
    const d = desiredFor({ pod: p, workloadEnabled: undefined, baseCapture: base });
    t.equal(d.enabled, false, what);
    if (!d.enabled) t.match(d.reason, why, `${what}: ${d.reason}`);
  }
  const self = desiredFor({
    pod: pod({ labels: on, name: 'agent-x' }),
    workloadEnabled: undefined,
    baseCapture: base,
    self: { name: 'agent-x', namespace: 'default' },
  });
  t.equal(self.enabled, false, 'never the agent itself');
  const ok = desiredFor({
    pod: pod({ labels: on }),
    workloadEnabled: undefined,
    baseCapture: base,
  });
  t.equal(ok.enabled, true, 'a running enabled pod');
});

t.test(
  'capture annotations: valid ones apply, malformed ones are issues and keep the default',
  async (t) => {
    const good = captureFor(base, {
      'traffic.envoy.exclude-outbound-ports': '5432, 6379',
      'traffic.envoy.include-outbound-cidrs': '10.0.0.0/8',
    });
    t.same(good.issues, []);
    t.same(good.capture.excludeOutboundPorts, [5432, 6379]);
    t.same(good.capture.includeOutboundCidrs, ['10.0.0.0/8']);
    const bad = captureFor(base, {
      'traffic.envoy.exclude-outbound-ports': '80,abc',
      'traffic.envoy.exclude-outbound-cidrs': '*',
      'traffic.envoy.include-outbound-cidrs': 'x'.repeat(5000),
    });
    t.equal(bad.issues.length, 3, 'one issue per malformed annotation');
    t.same(bad.capture, base, 'defaults kept');
    t.match(bad.issues[0]?.message ?? '', /traffic\.envoy\.exclude-outbound-ports/);
    t.ok(
      bad.issues.every((i) => i.message.length < 400),
      'oversized values are not echoed whole',
    );
  },
);

t.test('families: IPv6 rules only for pods with an IPv6 address', async (t) => {
  t.same(familiesOf(pod()), ['ipv4']);
  t.same(
    familiesOf(
      pod({ status: { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] } }),
    ),
    ['ipv4', 'ipv6'],
  );
});
