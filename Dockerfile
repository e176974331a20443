# The Signal Desk image docker-compose.yml runs (worker and web). Dependencies are installed here, at build
# time, into the image: never into a checkout on the host, and not again on every `docker compose run`.
# Node 20.19 or later (package.json `engines`); node:20 is the newest 20.x.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The lock file first, so the install layer is rebuilt only when the dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# config/ is mounted from the host by docker-compose.yml, so the sources file can be edited (and is re-read live);
# `sources add` writes to it from inside the container.
CMD ["node", "bin/signal-desk.js", "run"]
