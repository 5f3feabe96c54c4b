# The example worker image: redflow's sources and the order example, run with tsx.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The image runs the sources with tsx: no build (`prepare`), which would need what is copied below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY lua ./lua
COPY examples ./examples
ENV NODE_ENV=production
# exec form: the worker itself receives SIGTERM and stops gracefully.
CMD ["node", "--import", "tsx", "examples/order/worker.ts"]
