# Tessera: the server and the built web app in one Debian image.
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
COPY package.json package-lock.json ./
RUN apt-get update && apt-get install -y --no-install-recommends build-essential pkg-config \
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libssl-dev libzip-dev \
      libvips-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev nodejs npm \
    && rm -rf /var/lib/apt/lists/*
RUN npm ci --no-audit --no-fund
COPY . .
RUN make BUILD=build server web && scripts/fetch-onnxruntime /src/ort

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libmicrohttpd12 libjansson4 \
      libsqlite3-0 libsodium23 libssl3 libzip4 libvips42 libavformat59 libavcodec59 \
      libswscale6 libavutil57 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/tessera /usr/local/bin/tessera
COPY --from=build /src/web/dist /srv/tessera/web
# ONNX Runtime for model suggestions (scripts/fetch-onnxruntime).
COPY --from=build /src/ort/libonnxruntime.so.1 /usr/local/lib/tessera/libonnxruntime.so.1
ENV TESSERA_LISTEN=0.0.0.0:8080 TESSERA_DATA=/data TESSERA_WEB=/srv/tessera/web \
    TESSERA_ONNXRUNTIME=/usr/local/lib/tessera/libonnxruntime.so.1
VOLUME /data
EXPOSE 8080
HEALTHCHECK CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
CMD ["tessera", "serve"]
