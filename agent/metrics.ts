// The agent's Prometheus metrics: proxies running, reconcile passes, failures by reason, and the
// time from a pod becoming enabled to its capture being installed.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class AgentMetrics {
  readonly registry = new Registry();
  readonly proxies = new Gauge({
    name: 'traffic_agent_proxies',
    help: 'Proxy containers on this node by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly passes = new Counter({
    name: 'traffic_agent_reconcile_passes_total',
    help: 'Per-pod reconcile passes by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'traffic_agent_failures_total',
    help: 'Failures by reason (runtime, iptables, not_ready, sandbox_missing, kube, invalid_annotation, crashed)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly enableSeconds = new Histogram({
    name: 'traffic_agent_enable_seconds',
    help: 'From seeing a pod enabled to its capture installed and annotated',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly removeSeconds = new Histogram({
    name: 'traffic_agent_remove_seconds',
    help: 'From seeing a pod disabled to its capture and proxy removed',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'traffic_agent_' });
  }
}
