# syntax=docker/dockerfile:1
# One image for the API node and the job worker (docker-compose.yml picks the entry file per service).
FROM node:20-bookworm

WORKDIR /app

# ffmpeg records lives to HLS (replay, issue #17).
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*

# mediasoup 3.8.4's worker binary, built once in its own layer (g++, make and python3 come with this base image;
# see scripts/mediasoup-worker.sh). With MEDIASOUP_WORKER_BIN set, `npm ci` skips mediasoup's own worker build.
ENV MEDIASOUP_CACHE_DIR=/opt/mediasoup
COPY scripts/mediasoup-worker.sh scripts/mediasoup-worker.sh
RUN bash scripts/mediasoup-worker.sh
ENV MEDIASOUP_WORKER_BIN=/opt/mediasoup/3.8.4/mediasoup-worker

# contracts/ is an npm workspace (@lc/contracts): its package.json must be there when npm links it.
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/package.json
RUN npm ci --no-audit --no-fund

# NOTE: local state (dev secret, Redis and PGlite data) and host-built artefacts never go into the image.
COPY --exclude=node_modules --exclude=.data --exclude=.git --exclude=client/dist --exclude=coverage . .
RUN if [ -f client/vite.config.ts ]; then npx vite build --config client/vite.config.ts; fi \
  && npm prune --omit=dev --no-audit --no-fund \
  && mkdir -p .data && chown node:node .data

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/.data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "server/src/main.ts"]
