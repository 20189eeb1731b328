// Renders the vocabulary as the README's Markdown table. The README holds the rendered text
// between markers, and a test fails when the two differ.
import type { LabelDecl } from './decl.js';
import { VOCABULARY } from './registry.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function shownDefault(d: LabelDecl): string {
  const v = d.default;
  if (v === undefined) return 'unset';
  const text = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return `\`${text ? String(v) : JSON.stringify(v)}\``;
}

export function renderLabelTable(vocabulary: readonly LabelDecl[] = VOCABULARY): string {
  const head = [
    '| Label | Applies to | Accepts | Default | Units | Effect |',
    '|---|---|---|---|---|---|',
  ];
  const rows = vocabulary.map((d) =>
    [
      `\`${d.name}\`${d.via === 'annotation' ? ' (annotation)' : d.via === 'either' ? ' (label or annotation)' : ''}`,
      d.appliesTo.join(', '),
      cell(d.parser.accepts),
      shownDefault(d),
      d.units ?? '',
      cell(d.description),
    ].join(' | '),
  );
  return [...head, ...rows.map((r) => `| ${r} |`)].join('\n');
}

export const TABLE_BEGIN =
  '<!-- labels:begin (generated from lib/labels; npm run labels:table) -->';
export const TABLE_END = '<!-- labels:end -->';

/** The text between the markers in `readme`, or undefined when the markers are missing. */
export function extractTable(readme: string): string | undefined {
  const a = readme.indexOf(TABLE_BEGIN);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) return undefined;
  return readme.slice(a + TABLE_BEGIN.length, b).trim();
}
