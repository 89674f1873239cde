# One multi-stage build for every service: `docker build --target ingest .` and so on.
# The build stage compiles the whole workspace once; each runtime target carries only the
# production dependencies and starts one app as an unprivileged user. Node 22 LTS (Node 20 reached
# its end of life on 2026-04-30); the code also runs on Node 20 (package.json `engines`).
FROM node:22-bookworm-slim AS build
WORKDIR /workspace
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json nx.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
RUN node scripts/build.js && npx tsc -p tsconfig.json --noEmit

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /workspace/dist ./dist
COPY nx.json ./
USER node

FROM runtime AS setup
CMD ["node", "--enable-source-maps", "dist/tools/admin/setup.js"]

FROM runtime AS ingest
EXPOSE 3001
CMD ["node", "--enable-source-maps", "dist/apps/ingest/src/main.js"]

FROM runtime AS ledger-projector
EXPOSE 3002
CMD ["node", "--enable-source-maps", "dist/apps/ledger-projector/src/main.js"]

FROM runtime AS payout
EXPOSE 3003
CMD ["node", "--enable-source-maps", "dist/apps/payout/src/main.js"]

FROM runtime AS query
EXPOSE 3004
CMD ["node", "--enable-source-maps", "dist/apps/query/src/main.js"]

FROM runtime AS partner-simulator
EXPOSE 3010
CMD ["node", "--enable-source-maps", "dist/apps/partner-simulator/src/main.js"]

# The earnings dashboard: its page (built by Vite in the build stage) and the small server that
# serves it and forwards /graphql to DASHBOARD_QUERY_URL. No development sign-in here.
FROM runtime AS dashboard
EXPOSE 3005
CMD ["node", "--enable-source-maps", "dist/apps/dashboard/server/main.js"]
