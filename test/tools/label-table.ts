// `npm run labels:table`: rewrites the README's label table from the vocabulary in lib/labels.
import { readFileSync, writeFileSync } from 'node:fs';
import { TABLE_BEGIN, TABLE_END, renderLabelTable } from '../../lib/labels/index.js';

const path = new URL('../../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const a = readme.indexOf(TABLE_BEGIN);
const b = readme.indexOf(TABLE_END);
if (a < 0 || b < a) {
  console.error(`README.md has no ${TABLE_BEGIN} ... ${TABLE_END} markers`);
  process.exit(1);
}
const next = `${readme.slice(0, a + TABLE_BEGIN.length)}\n\n${renderLabelTable()}\n\n${readme.slice(b)}`;
writeFileSync(path, next);
console.log(
  next === readme ? 'README label table already up to date' : 'README label table rewritten',
);
