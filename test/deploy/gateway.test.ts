// The ingress gateway's bootstrap (a ConfigMap the chart renders) next to the bootstrap the agent
// builds for every proxy: the same ADS cluster, admin and stats listener, so the gateway and the
// proxies talk to traffic-control the same way; only the node id differs (traffic-ingress).
import t from 'tap';
import { parse } from 'yaml';
import { buildBootstrap } from '../../agent/bootstrap.js';
import { NAMESPACE, find, render, type Obj } from './chart.js';

const XDS = `traffic-control.${NAMESPACE}.svc.cluster.local`;

t.test(
  'the gateway bootstrap: node traffic-ingress, the proxies’ ADS and stats shape',
  async (t) => {
    const cm = find(await render(), 'ConfigMap', 'traffic-ingress');
    const gw = parse(cm.data['bootstrap.yaml'] as string) as Obj;
    t.equal(gw.node.id, 'traffic-ingress');
    t.equal(gw.node.cluster, 'traffic-ingress');
    t.same(gw.admin.address.socket_address, { address: '127.0.0.1', port_value: 8900 });
    const proxy = buildBootstrap({
      podName: 'p',
      namespace: 'default',
      xdsAddress: XDS,
      xdsPort: 18000,
      adminPort: 8900,
      statsPort: 15090,
      capturePort: 10000,
    });
    if (!proxy.valid) throw new Error(proxy.errors.join('; '));
    const p = proxy.result as Obj;
    t.same(gw.dynamic_resources, p.dynamic_resources, 'ADS over gRPC v3, as the proxies');
    const byName = (list: Obj[]) => new Map(list.map((x) => [x.name as string, x]));
    const gwClusters = byName(gw.static_resources.clusters);
    const pClusters = byName(p.static_resources.clusters);
    t.same(gwClusters.get('xds_cluster'), pClusters.get('xds_cluster'), 'the same xDS cluster');
    t.same(gwClusters.get('envoy_admin'), pClusters.get('envoy_admin'));
    t.same(gw.layered_runtime, p.layered_runtime);
    const stats = gw.static_resources.listeners[0];
    t.same(stats.address, p.static_resources.listeners[0].address, 'stats on 0.0.0.0:15090');
    const routes =
      stats.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
    t.same(
      (routes as Obj[]).map((r) => r.match.path ?? r.match.prefix),
      ['/stats/prometheus', '/ready', '/'],
    );
    t.notOk(gwClusters.has('zipkin'), 'no zipkin cluster without tracing');
    const traced = parse(
      find(await render(['zipkin.enabled=true']), 'ConfigMap', 'traffic-ingress').data[
        'bootstrap.yaml'
      ] as string,
    ) as Obj;
    const zipkin = byName(traced.static_resources.clusters).get('zipkin');
    t.same(
      zipkin?.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
      { address: `traffic-zipkin.${NAMESPACE}.svc.cluster.local`, port_value: 9411 },
      'the cluster the tracing config names',
    );
  },
);
