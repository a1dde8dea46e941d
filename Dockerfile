# agentsocket serve in a container. Build: docker build -t agentsocket .
# Runs as the image's non-root "node" user; configure it with the variables of `agentsocket help`
# (docs/deployment.md). The drain on SIGTERM (AGENTSOCKET_DRAIN_MS) must fit in the orchestrator's
# grace period: docker stop -t 35, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds.

# --- build: install what the server needs (no dev tools but the bundler), compile to dist/ ---
FROM node:24-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches this Node.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10.34.9
COPY . .
RUN pnpm install --frozen-lockfile --prod --filter "agentsocket-monorepo..." --config.confirm-modules-purge=false \
  && pnpm run build:js

# --- run: the compiled CLI, nothing else ---
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    AGENTSOCKET_DB=/data/agentsocket.db \
    AGENTSOCKET_DRAIN_MS=25000 \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--conditions=agentsocket-dist", "packages/server/dist/bin.mjs", "serve"]
