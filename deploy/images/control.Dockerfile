# syntax=docker/dockerfile:1
# traffic-control (and envoy-config, which reads its admin API from inside the same pod).
#
# Build from the repository root (the build context):
#   docker build -f deploy/images/control.Dockerfile -t traffic-manager/control:0.1.0 .
# NODE_IMAGE is the Node 20 base of both stages; give a locally built or mirrored image to build
# without a registry, e.g. --build-arg NODE_IMAGE=registry.local/node:20-bookworm-slim.
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
  && chmod 0755 dist/control/main.js dist/tools/envoy-config/main.js

# ---- runtime: Node, production dependencies and dist/ only; non-root ----
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="traffic-control" \
      org.opencontainers.image.description="traffic-manager control plane: Kubernetes labels to Envoy xDS" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# envoy-config on PATH for `kubectl exec deploy/traffic-control -- envoy-config ...`.
RUN ln -s /app/dist/control/main.js /usr/local/bin/traffic-control \
  && ln -s /app/dist/tools/envoy-config/main.js /usr/local/bin/envoy-config
USER 65532:65532
EXPOSE 18000 15010
ENTRYPOINT ["node", "/app/dist/control/main.js"]
