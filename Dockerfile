# Tessera: the server and the built web app in one Debian image.
#
# The web app is built outside the image (`make web`, which needs Node.js
# 20.19 or later; Debian bookworm's nodejs is 18) and copied in from
# web/dist, so the image needs no Node.js and no npm registry access.
# deploy/compose-check does both steps.
FROM debian:bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends build-essential pkg-config \
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libssl-dev libzip-dev \
      libvips-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libpq-dev \
      libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN test -f web/dist/index.html || { echo "web/dist is missing: run 'make web' before building the image" >&2; exit 1; }
RUN make BUILD=build server
# ONNX Runtime for model suggestions, when scripts/install-deps (through
# scripts/fetch-onnxruntime) put it in the checkout; without it the image
# runs with model features off (503 inference_unavailable).
RUN mkdir -p /src/ort && { cp third_party/onnxruntime/lib/libonnxruntime.so.1 /src/ort/ 2>/dev/null || true; }

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libmicrohttpd12 libjansson4 \
      libsqlite3-0 libsodium23 libssl3 libzip4 libvips42 libavformat59 libavcodec59 \
      libswscale6 libavutil57 libpq5 libcurl4 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/tessera /usr/local/bin/tessera
COPY web/dist /srv/tessera/web
COPY --from=build /src/ort/ /usr/local/lib/tessera/
ENV TESSERA_LISTEN=0.0.0.0:8080 TESSERA_DATA=/data TESSERA_WEB=/srv/tessera/web \
    TESSERA_ONNXRUNTIME=/usr/local/lib/tessera/libonnxruntime.so.1
VOLUME /data
EXPOSE 8080
# Ready means the database answers and the process is not draining.
HEALTHCHECK --interval=10s --timeout=3s CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/readyz"]
CMD ["tessera", "serve"]
