// The program `httpGetInNetns` runs with this Node binary under `nsenter --net`: one HTTP GET,
// answered by one JSON line on stdout, {status, body} or {error}. It is a constant; every value
// (host, port, path, timeout, body limit) arrives through argv and was validated by the caller.

/** The most of a response body the probe reports (64 KiB). */
export const BODY_LIMIT = 64 * 1024;

// argv: host port path timeoutMs bodyLimit
export const PROBE_SCRIPT = `
'use strict';
const http = require('node:http');
const [host, port, path, timeoutMs, limit] = process.argv.slice(1);
const max = Number(limit);
let finished = false;
function finish(out) {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify(out) + '\\n');
  process.exit(0);
}
const failed = (e) => finish({ error: String((e && e.code) || (e && e.message) || e) });
setTimeout(() => finish({ error: 'timeout' }), Number(timeoutMs));
const headers = { 'user-agent': 'traffic-agent-probe', accept: '*/*' };
const req = http.get({ host, port: Number(port), path, agent: false, headers }, (res) => {
  const chunks = [];
  let size = 0;
  const reply = () =>
    finish({ status: res.statusCode, body: Buffer.concat(chunks).subarray(0, max).toString('utf8') });
  res.on('data', (c) => {
    chunks.push(c);
    size += c.length;
    if (size >= max) reply();
  });
  res.on('end', reply);
  res.on('error', failed);
});
req.on('error', failed);
`;
