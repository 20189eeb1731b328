// Which EndpointSlice changes are urgent (pushed within the quiet window even under churn): an
// address that was ready stops being ready or leaves; new or recovering endpoints are not.
import t from 'tap';
import type * as k8s from '@kubernetes/client-node';
import { ModelStore } from '../../control/kube/store.js';

function slice(endpoints: [string, boolean][]): k8s.V1EndpointSlice {
  return {
    metadata: {
      name: 'reviews-abc',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'reviews' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 9080, protocol: 'TCP' }],
    endpoints: endpoints.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  };
}

t.test('slice changes: losing a ready address is urgent, gaining one is not', async (t) => {
  const s = new ModelStore();
  t.notOk(s.applySlice('add', slice([['10.0.0.1', true]])).urgent, 'first endpoints');
  const two = slice([
    ['10.0.0.1', true],
    ['10.0.0.2', false],
  ]);
  t.notOk(s.applySlice('update', two).urgent, 'a not-ready endpoint added');
  const both = slice([
    ['10.0.0.1', true],
    ['10.0.0.2', true],
  ]);
  t.notOk(s.applySlice('update', both).urgent, 'an endpoint turned ready');
  t.equal(
    s.applySlice('update', slice([['10.0.0.2', true]])).urgent,
    true,
    'a ready endpoint left',
  );
  t.equal(
    s.applySlice('update', slice([['10.0.0.2', false]])).urgent,
    true,
    'a ready endpoint turned not ready',
  );
  s.applySlice('update', slice([['10.0.0.3', true]]));
  t.equal(s.applySlice('delete', slice([['10.0.0.3', true]])).urgent, true, 'slice deleted');
  t.notOk(s.applySlice('delete', slice([])).urgent, 'deleting what is not there');
});
