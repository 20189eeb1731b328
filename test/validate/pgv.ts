// A protoc-gen-validate checker for Envoy resources in the project's plain-object form
// (snake_case fields, enums as names, Any as {'@type', ...fields}, wrappers as {value},
// durations as {seconds, nanos}). The rules are read from Envoy's own .proto files as
// protobufjs loaded them, so the checker follows whatever API version the protos ship.
//
// Each violation is one line "path: what", e.g.
//   "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: uint32.lte: ..."
// Unknown field names, wrong value types and unknown Any types / enum names are reported too.
// The walk is deterministic and never throws: odd input becomes a violation.
import protobuf from 'protobufjs';
import { envoyRoot } from '../../control/xds/proto/load.js';
import { messageName } from '../../control/xds/types.js';
import type { Ctx } from './context.js';
import { checkMessageValue } from './element.js';
import { checkMessage } from './message.js';
import { ruleStats, type RuleStats } from './rules.js';

export type { RuleStats } from './rules.js';

function newCtx(root: protobuf.Root, out: string[]): Ctx {
  const ctx: Ctx = {
    root,
    out,
    active: new Set(),
    rules: true,
    depth: 0,
    message: (type, obj, path) => checkMessage(ctx, type, obj, path),
    value: (type, rules, value, path) => checkMessageValue(ctx, type, rules, value, path),
  };
  return ctx;
}

function resolve(name: string): protobuf.Type | null {
  const found = envoyRoot().lookup(messageName(name));
  return found instanceof protobuf.Type ? found : null;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Checks `obj` as a message of `type` (a protobufjs Type, a full name such as
 * 'envoy.config.cluster.v3.Cluster', or a type URL) against the PGV rules declared in the
 * protos. Returns the violations, each "path: problem"; an empty list means valid.
 */
export function validateMessage(type: protobuf.Type | string, obj: object): string[] {
  const out: string[] = [];
  try {
    const t = typeof type === 'string' ? resolve(type) : type;
    if (!t) return [`(root): unknown message type ${JSON.stringify(type)}`];
    const ctx = newCtx(t.root, out);
    ctx.value(t, undefined, obj, '');
  } catch (e) {
    out.push(`(root): validator error: ${describe(e)}`);
  }
  return out;
}

/** validateMessage for an xDS resource given by its type URL (e.g. TYPE.cluster). */
export function validateResource(typeUrl: string, obj: object): string[] {
  return validateMessage(messageName(typeUrl), obj);
}

/** How many PGV rules the loaded Envoy protos declare, and which of them are not checked. */
export function envoyRuleStats(): RuleStats {
  return ruleStats(envoyRoot());
}
