// `npm run bench -- <name>`: runs one benchmark (or all) and prints its table.
import { agentBench } from './agent.js';
import { scaleBench } from './scale.js';
import { translateBench } from './translate.js';
import { xdsPush } from './xds-push.js';

const BENCHES: Record<string, () => Promise<void>> = {
  'xds-push': xdsPush,
  translate: translateBench,
  agent: agentBench,
  scale: scaleBench,
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
for (const n of names) {
  const run = BENCHES[n];
  if (!run) {
    console.error(`unknown benchmark "${n}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await run();
}
