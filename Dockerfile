# syntax=docker/dockerfile:1
# atlas-access-review in a container: docs/container.md. Two stages: the first builds dist/ and packs
# the package exactly as it is published; the second installs that tarball without dev dependencies
# and runs as the unprivileged `node` user.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json README.md ./
COPY scripts ./scripts
COPY src ./src
COPY rules ./rules
COPY reports ./reports
RUN npm run build && mkdir /pkg && npm pack --ignore-scripts --pack-destination /pkg

FROM node:20-slim
ENV NODE_ENV=production
COPY --from=build /pkg/ /tmp/pkg/
RUN npm install -g --omit=dev --no-audit --no-fund /tmp/pkg/*.tgz \
 && rm -rf /tmp/pkg \
 && npm cache clean --force \
 && mkdir /work && chown node:node /work
USER node
WORKDIR /work
ENTRYPOINT ["atlas-access-review"]
CMD ["--help"]
