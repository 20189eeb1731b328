// State shared by one validation walk, and the element kinds a field's values can have.
import protobuf from 'protobufjs';
import type { Report } from './numeric.js';
import type { Rules } from './rules.js';
import { where } from './values.js';

export interface Ctx {
  readonly root: protobuf.Root;
  readonly out: string[];
  /** Objects on the path from the root to here; meeting one again is a cycle. */
  readonly active: Set<object>;
  /** False below a message with `(validate.disabled)`: structure is still checked, rules not. */
  rules: boolean;
  depth: number;
  /** Walks a plain message's fields (message.ts). */
  message(type: protobuf.Type, obj: Record<string, unknown>, path: string): void;
  /** Checks any message-typed value, well-known types included (element.ts). */
  value(type: protobuf.Type, rules: Rules | undefined, value: unknown, path: string): void;
}

export const MAX_DEPTH = 100;

export function violation(ctx: Ctx, path: string, text: string): void {
  ctx.out.push(`${where(path)}: ${text}`);
}

/** A Report for rules of `kind` (e.g. 'uint32') at `path`: "path: uint32.lte: detail". */
export function reporter(ctx: Ctx, path: string, kind: string): Report {
  return (rule, detail) => violation(ctx, path, `${kind}.${rule}: ${detail}`);
}

export type Elem =
  | { kind: 'scalar'; type: string }
  | { kind: 'enum'; en: protobuf.Enum }
  | { kind: 'message'; type: protobuf.Type };

/** The kind of one value of `field` (an item for repeated fields, the value for maps). */
export function elemOf(field: protobuf.FieldBase): Elem {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return { kind: 'message', type: t };
  if (t instanceof protobuf.Enum) return { kind: 'enum', en: t };
  return { kind: 'scalar', type: field.type };
}
