// Accessors for Kubernetes objects held as plain JSON.
import { randomBytes } from 'node:crypto';
import { asObject, asObjects, asString, ensureObject, isObject, type JsonObject } from './json.js';

export type KubeObject = JsonObject;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export function metadataOf(obj: KubeObject): JsonObject {
  return ensureObject(obj, 'metadata');
}

export function nameOf(obj: KubeObject): string {
  return asString(asObject(obj.metadata)?.name) ?? '';
}

export function namespaceOf(obj: KubeObject): string {
  return asString(asObject(obj.metadata)?.namespace) ?? '';
}

export function uidOf(obj: KubeObject): string {
  return asString(asObject(obj.metadata)?.uid) ?? '';
}

export function resourceVersionOf(obj: KubeObject): string {
  return asString(asObject(obj.metadata)?.resourceVersion) ?? '';
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function labelsOf(obj: KubeObject): Record<string, string> {
  return stringMap(asObject(obj.metadata)?.labels);
}

export function annotationsOf(obj: KubeObject): Record<string, string> {
  return stringMap(asObject(obj.metadata)?.annotations);
}

export function isTerminating(obj: KubeObject): boolean {
  return asString(asObject(obj.metadata)?.deletionTimestamp) !== undefined;
}

export function ownerReferencesOf(obj: KubeObject): OwnerReference[] {
  return asObjects(asObject(obj.metadata)?.ownerReferences).map((r) => ({
    apiVersion: asString(r.apiVersion) ?? '',
    kind: asString(r.kind) ?? '',
    name: asString(r.name) ?? '',
    uid: asString(r.uid) ?? '',
    controller: r.controller === true,
    blockOwnerDeletion: r.blockOwnerDeletion === true,
  }));
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return ownerReferencesOf(obj).find((r) => r.controller === true);
}

/** The owner reference a controller puts on the objects it creates. */
export function controllerRef(owner: KubeObject): JsonObject {
  return {
    apiVersion: asString(owner.apiVersion) ?? '',
    kind: asString(owner.kind) ?? '',
    name: nameOf(owner),
    uid: uidOf(owner),
    controller: true,
    blockOwnerDeletion: true,
  };
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Random suffix in the alphabet Kubernetes uses for generated names. */
export function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += SAFE_ALPHABET[b % SAFE_ALPHABET.length];
  return out;
}

/** Like apimachinery's rand.SafeEncodeString: maps each character into the safe alphabet. */
export function safeEncode(text: string): string {
  let out = '';
  for (const ch of text) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

/** 32-bit FNV-1a, the hash family Kubernetes uses for pod-template-hash. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Timestamps as the apiserver writes them: RFC 3339, second precision, UTC. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
