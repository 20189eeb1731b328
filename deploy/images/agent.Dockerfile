# syntax=docker/dockerfile:1
# traffic-agent (and envoy-tools, which works on the same node's proxies from inside its pod).
#
# Build from the repository root (the build context):
#   docker build -f deploy/images/agent.Dockerfile -t traffic-manager/agent:0.1.0 .
# NODE_IMAGE is the Node 20 base of both stages; give a locally built or mirrored image to build
# without a registry. The runtime stage installs Debian packages, so it needs a Debian mirror.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: all dependencies, compile to dist/, then drop the development dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
COPY control ./control
COPY agent ./agent
COPY iptables ./iptables
COPY tools ./tools
# npm run build generates the Envoy message types first (prebuild), then runs tsc. Files the
# modules load at run time (.proto) go beside their compiled modules in dist/.
RUN npm run build \
  && find lib control agent iptables tools -name '*.proto' -exec cp --parents {} dist/ \; \
  && npm prune --omit=dev --no-audit --no-fund \
  && chmod 0755 dist/agent/main.js dist/tools/envoy-tools/main.js

# ---- runtime: Node, the capture tools, production dependencies and dist/ only ----
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="traffic-agent" \
      org.opencontainers.image.description="traffic-manager node agent: Envoy in labelled pods' network namespaces" \
      org.opencontainers.image.licenses="Apache-2.0"
# iptables: both backends (iptables-nft-* and iptables-legacy-*; the agent picks the one a pod's
# rules use); nftables: nft, to drop an emptied nat table; util-linux: nsenter.
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
     iptables nftables util-linux \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# envoy-tools on PATH for `kubectl exec ds/traffic-agent -- envoy-tools`.
RUN ln -s /app/dist/agent/main.js /usr/local/bin/traffic-agent \
  && ln -s /app/dist/tools/envoy-tools/main.js /usr/local/bin/envoy-tools
# Root, on purpose: the runtime socket is root-owned and nsenter/iptables need the capabilities
# the DaemonSet grants, which Kubernetes gives only to uid 0 (see deploy/README.md).
USER 0:0
EXPOSE 15021
ENTRYPOINT ["node", "/app/dist/agent/main.js"]
