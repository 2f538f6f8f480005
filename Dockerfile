# One image for the API (serving the Switchboard and the codec endpoint), the worker and the
# migrate one-shot; docker-compose.yml picks the entry point. Without Docker, `npm start`
# runs the same processes on embedded servers.

# The OPA CLI, only to compile policies/ to wasm at build time.
FROM openpolicyagent/opa:1.22.2 AS opa

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Sources only (a host's node_modules, .tools, .data must not end up in the image).
COPY tsconfig.json ./
COPY domain domain
COPY platform platform
COPY workflows workflows
COPY activities activities
COPY workers workers
COPY api api
COPY web web
COPY policies policies
COPY adapters adapters
COPY examples examples
COPY scripts scripts
COPY --from=opa /opa .tools/bin/opa
RUN sh scripts/build-policies.sh \
  && npm run web:build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf .tools

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
