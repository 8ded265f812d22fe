# wiredesk container image.
#
#   docker build -t wiredesk .
#   docker run --rm -p 9464:9464 wiredesk run --config /etc/wiredesk/wiredesk.toml --brokers HOST:9092
#
# Needs BuildKit (the default builder since Docker 23) for the cache mounts.

FROM rust:1-bookworm AS build
# librdkafka is built from source by rdkafka-sys: C toolchain (in the image),
# cmake, and OpenSSL/zlib headers found through pkg-config.
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake libssl-dev pkg-config zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin wiredesk \
    && install -m 0755 target/release/wiredesk /usr/local/bin/wiredesk

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent \
        --shell /usr/sbin/nologin wiredesk
COPY --from=build /usr/local/bin/wiredesk /usr/local/bin/wiredesk
COPY config/ /etc/wiredesk/
# In a container the metrics/health endpoint has to listen beyond loopback
# (config/wiredesk.toml says 127.0.0.1:9464, meant for a developer machine).
ENV WIREDESK_HTTP__LISTEN=0.0.0.0:9464
USER wiredesk
EXPOSE 9464
ENTRYPOINT ["wiredesk"]
CMD ["run", "--config", "/etc/wiredesk/wiredesk.toml"]
