// The capture rules, as `iptables-restore --noflush` text for the nat table. Pure: validated
// options in, text out; every rule is written exactly as `iptables-save` prints it back (`-m tcp`
// for --dport, `/32` and `/128`, canonical addresses, `-d` before `-o` before `-p`), so verify
// can compare lines for equality.
//
// Why each rule exists (REDIRECT mode, as Istio's sidecar and Linkerd; see also the original's
// bugs: a RETURN for 127.0.0.1 placed after an unconditional jump, and duplicated rules after a
// crash, both impossible here):
//   OUTPUT -p tcp -j TRAFFIC_OUTPUT     the only hook for outbound, exactly once; UDP is untouched.
//   TRAFFIC_OUTPUT, in order (first match wins; all but the last are RETURN = "not captured"):
//     -m multiport --dports …           excludeOutboundPorts, ≤15 ports per rule (multiport's limit).
//     --dport <adminPort>               Envoy's admin API is never sent through Envoy.
//     --uid-owner / --gid-owner <1337>  the loop breaker: Envoy's own egress goes where it asked.
//                                       Both, so a proxy started with only one of them is safe.
//     -d 127.0.0.1/32 (::1/128)         the pod talking to itself over loopback (sidecars, admin).
//     -o lo                             everything else routed over loopback, i.e. the pod's own
//                                       addresses (and the rest of 127/8). Without it an app calling
//                                       its own pod IP would be load-balanced by Envoy's outbound
//                                       listener to another pod of the same Service. This is
//                                       Linkerd's rule and the non-1337 half of Istio's `-o lo` pair;
//                                       Istio's 127.0.0.6 rule is not needed: our Envoy never binds
//                                       127.0.0.6 (no inbound passthrough cluster).
//     -d <excludeOutboundCidrs>         destinations that must bypass the proxy.
//     -j TRAFFIC_REDIRECT               everything else, or only `-d <includeOutboundCidrs>` when an
//                                       include list is given (nothing, for a family it has no CIDR
//                                       of: "only these" must not widen to "all IPv6").
//   TRAFFIC_REDIRECT: -p tcp -j REDIRECT --to-ports <capturePort> (Envoy reads SO_ORIGINAL_DST).
//   Inbound, only when inboundCapture (off by default):
//     PREROUTING -p tcp -j TRAFFIC_INBOUND; RETURN for excludeInboundPorts and adminPort, then
//     TRAFFIC_IN_REDIRECT: REDIRECT --to-ports <inboundPort>. Connections the pod makes to itself
//     are never seen here (their NAT was decided in OUTPUT), so no loop is possible.
import { InvalidArgumentError } from '../lib/errors.js';
import type { CaptureOptions, Family } from './options.js';
import { validateCaptureOptions } from './options.js';

export const CHAINS = {
  output: 'TRAFFIC_OUTPUT',
  redirect: 'TRAFFIC_REDIRECT',
  inbound: 'TRAFFIC_INBOUND',
  inRedirect: 'TRAFFIC_IN_REDIRECT',
} as const;

/** Every chain we own, in creation order. */
export const OUR_CHAINS: readonly string[] = Object.values(CHAINS);

/** multiport accepts at most 15 ports per rule. */
export const MULTIPORT_MAX = 15;

/** One `-A <chain> <spec>` line. */
export interface Rule {
  chain: string;
  spec: string;
}

export interface RuleSet {
  /** Chains to create (`-N`). */
  chains: string[];
  /** Rules inside our chains, in order. */
  rules: Rule[];
  /** The hook jumps from the built-in chains: one per hook. */
  jumps: Rule[];
}

const LOOPBACK: Record<Family, string> = { ipv4: '127.0.0.1/32', ipv6: '::1/128' };

export function renderRule(r: Rule): string {
  return `-A ${r.chain} ${r.spec}`;
}

function portReturns(chain: string, ports: number[], admin: number): Rule[] {
  const rules: Rule[] = [];
  for (let i = 0; i < ports.length; i += MULTIPORT_MAX) {
    const chunk = ports.slice(i, i + MULTIPORT_MAX).join(',');
    rules.push({ chain, spec: `-p tcp -m multiport --dports ${chunk} -j RETURN` });
  }
  rules.push({ chain, spec: `-p tcp -m tcp --dport ${admin} -j RETURN` });
  return rules;
}

/** `-d <cidr> `, or nothing for a /0 (iptables-save prints no address for "anywhere"). */
function dest(cidr: string): string {
  return cidr.endsWith('/0') ? '' : `-d ${cidr} `;
}

function ofFamily(cidrs: string[], family: Family): string[] {
  return cidrs.filter((c) => c !== '*' && c.includes(':') === (family === 'ipv6'));
}

function cidrRules(o: CaptureOptions, family: Family): Rule[] {
  const chain = CHAINS.output;
  const excluded = ofFamily(o.excludeOutboundCidrs, family);
  const everything = excluded.find((c) => c.endsWith('/0'));
  if (everything !== undefined) return [{ chain, spec: '-j RETURN' }];
  const rules = excluded.map((c) => ({ chain, spec: `${dest(c)}-j RETURN` }));
  const all = o.includeOutboundCidrs.length === 0 || o.includeOutboundCidrs.includes('*');
  const included = ofFamily(o.includeOutboundCidrs, family);
  if (all || included.some((c) => c.endsWith('/0'))) {
    return [...rules, { chain, spec: `-j ${CHAINS.redirect}` }];
  }
  return [...rules, ...included.map((c) => ({ chain, spec: `${dest(c)}-j ${CHAINS.redirect}` }))];
}

function outboundRules(o: CaptureOptions, family: Family): Rule[] {
  const chain = CHAINS.output;
  return [
    ...portReturns(chain, o.excludeOutboundPorts, o.adminPort),
    { chain, spec: `-m owner --uid-owner ${o.proxyUid} -j RETURN` },
    { chain, spec: `-m owner --gid-owner ${o.proxyGid} -j RETURN` },
    { chain, spec: `-d ${LOOPBACK[family]} -j RETURN` },
    { chain, spec: '-o lo -j RETURN' },
    ...cidrRules(o, family),
    { chain: CHAINS.redirect, spec: `-p tcp -j REDIRECT --to-ports ${o.capturePort}` },
  ];
}

function inboundRules(o: CaptureOptions): Rule[] {
  return [
    ...portReturns(CHAINS.inbound, o.excludeInboundPorts, o.adminPort),
    { chain: CHAINS.inbound, spec: `-p tcp -j ${CHAINS.inRedirect}` },
    { chain: CHAINS.inRedirect, spec: `-p tcp -j REDIRECT --to-ports ${o.inboundPort}` },
  ];
}

function checked(o: CaptureOptions, family: Family): CaptureOptions {
  if (family !== 'ipv4' && family !== 'ipv6') {
    throw new InvalidArgumentError(`unknown address family: ${JSON.stringify(family)}`);
  }
  const v = validateCaptureOptions(o);
  if (!v.valid) throw new InvalidArgumentError(`invalid capture options: ${v.errors.join('; ')}`);
  return v.result;
}

/** The structured rule set; validates `o` (throws InvalidArgumentError, TM_INVALID_ARGUMENT). */
export function captureRuleSet(options: CaptureOptions, family: Family): RuleSet {
  const o = checked(options, family);
  const out: RuleSet = {
    chains: [CHAINS.output, CHAINS.redirect],
    rules: outboundRules(o, family),
    jumps: [{ chain: 'OUTPUT', spec: `-p tcp -j ${CHAINS.output}` }],
  };
  if (!o.inboundCapture) return out;
  return {
    chains: [...out.chains, CHAINS.inbound, CHAINS.inRedirect],
    rules: [...out.rules, ...inboundRules(o)],
    jumps: [...out.jumps, { chain: 'PREROUTING', spec: `-p tcp -j ${CHAINS.inbound}` }],
  };
}

/** The lines between `*nat` and `COMMIT`: `-N` each chain, our rules, then the hook jumps. */
export function captureBody(o: CaptureOptions, family: Family): string[] {
  const set = captureRuleSet(o, family);
  return [
    ...set.chains.map((c) => `-N ${c}`),
    ...set.rules.map(renderRule),
    ...set.jumps.map(renderRule),
  ];
}

/** Full `iptables-restore --noflush` input for table nat. */
export function buildCaptureRules(o: CaptureOptions, family: Family): string {
  return ['*nat', ...captureBody(o, family), 'COMMIT', ''].join('\n');
}

/** The `-A` lines as `iptables-save` prints them (rules, then hook jumps). */
export function expectedRuleLines(o: CaptureOptions, family: Family): string[] {
  const set = captureRuleSet(o, family);
  return [...set.rules, ...set.jumps].map(renderRule);
}
