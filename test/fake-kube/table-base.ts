// Building blocks for Table columns: the Name and Age columns, cell helpers, HumanDuration.
import { asNumber, asObject, asString, getIn, scalarText } from './json.js';
import { nameOf, type KubeObject } from './kube.js';

/** kubectl's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  const y = Math.floor(d / 365);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

export type Cell = string | number;

export interface Column {
  name: string;
  type?: string;
  format?: string;
  description?: string;
  priority?: number;
  cell: (obj: KubeObject, now: Date) => Cell;
}

export const nameColumn: Column = { name: 'Name', format: 'name', cell: (o) => nameOf(o) };

export const ageColumn: Column = {
  name: 'Age',
  cell: (o, now) => {
    const created = asString(getIn(o, ['metadata', 'creationTimestamp']));
    return created ? humanDuration(now.getTime() - Date.parse(created)) : '<unknown>';
  },
};

export const str =
  (...path: string[]): ((o: KubeObject) => string) =>
  (o) => {
    const v = getIn(o, path);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };

export const num =
  (...path: string[]): ((o: KubeObject) => number) =>
  (o) =>
    asNumber(getIn(o, path)) ?? 0;

export function orNone(text: string): string {
  return text === '' ? '<none>' : text;
}

export function formatMap(value: unknown): string {
  const m = asObject(value) ?? {};
  return Object.entries(m)
    .map(([k, v]) => `${k}=${scalarText(v)}`)
    .join(',');
}
