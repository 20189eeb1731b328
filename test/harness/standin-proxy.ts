// A stand-in for Envoy at the pod boundary, for agent tests that must not need a real Envoy:
// answers the admin endpoints `GET /ready` with 200 "LIVE" and `GET /listeners` with one listener
// (Envoy's text format) on ADMIN_PORT (default 15000), and
// every connection on CAPTURE_PORT (default 15001) with an HTTP 200 whose body is STANDIN_REPLY
// (default "tm-standin-proxy") and whose X-Standin-Request header echoes the request line.
// Made of busybox httpd and nc, driven by a script inside the image.
import type Dockerode from 'dockerode';
import { buildImage } from './images.js';

export const STANDIN_PROXY_IMAGE = 'tm-test/standin-proxy:1';
export const STANDIN_ADMIN_PORT = 15000;
export const STANDIN_CAPTURE_PORT = 15001;
export const STANDIN_DEFAULT_REPLY = 'tm-standin-proxy';

export const STANDIN_ENTRYPOINT_SCRIPT = `#!/bin/sh
ADMIN_PORT="\${ADMIN_PORT:-${STANDIN_ADMIN_PORT}}"
CAPTURE_PORT="\${CAPTURE_PORT:-${STANDIN_CAPTURE_PORT}}"
export STANDIN_REPLY="\${STANDIN_REPLY:-${STANDIN_DEFAULT_REPLY}}"
echo "standin-proxy: admin on $ADMIN_PORT, capture on $CAPTURE_PORT"
echo "standin-proxy: this line goes to stderr" >&2
mkdir -p /tmp/admin
echo LIVE > /tmp/admin/ready
printf 'outbound::0.0.0.0:%s\n' "$CAPTURE_PORT" > /tmp/admin/listeners
httpd -f -p "$ADMIN_PORT" -h /tmp/admin &
admin=$!
nc -ll -p "$CAPTURE_PORT" -e /standin-reply &
capture=$!
trap 'kill $admin $capture 2>/dev/null; exit 0' TERM INT
wait
`;

// One connection: read the request head (so closing does not reset unread data), then answer.
export const STANDIN_REPLY_SCRIPT = `#!/bin/sh
cr=$(printf '\\r')
IFS= read -r first
first=\${first%"$cr"}
while IFS= read -r line; do
  line=\${line%"$cr"}
  [ -z "$line" ] && break
done
body="$STANDIN_REPLY"
printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\nX-Standin-Request: %s\\r\\nConnection: close\\r\\n\\r\\n%s\\n' "$((\${#body} + 1))" "$first" "$body"
`;

/** Builds (once) the stand-in proxy image on the busybox base. */
export function ensureStandInProxyImage(docker: Dockerode): Promise<string> {
  return buildImage(docker, {
    name: STANDIN_PROXY_IMAGE,
    files: {
      '/standin-proxy': { contents: STANDIN_ENTRYPOINT_SCRIPT, mode: 0o755 },
      '/standin-reply': { contents: STANDIN_REPLY_SCRIPT, mode: 0o755 },
    },
    entrypoint: ['/standin-proxy'],
  });
}

/**
 * The stand-in with the ports baked in (the agent gives a proxy only Envoy's command line, which
 * the stand-in ignores): `tm-test/standin-envoy:<admin>-<capture>`.
 */
export async function ensureStandInEnvoyImage(
  docker: Dockerode,
  ports: { admin: number; capture: number },
): Promise<string> {
  const base = await ensureStandInProxyImage(docker);
  return buildImage(docker, {
    name: `tm-test/standin-envoy:${ports.admin}-${ports.capture}`,
    from: base,
    files: { '/etc/standin-envoy': `admin ${ports.admin} capture ${ports.capture}\n` },
    env: { ADMIN_PORT: String(ports.admin), CAPTURE_PORT: String(ports.capture) },
  });
}
