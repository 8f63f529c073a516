# syntax=docker/dockerfile:1
# Build: the official Swift image (compiler, Foundation, the -dev C libraries added below).
FROM swift:6.2-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev zlib1g-dev coinor-libcbc-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product cartwise --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/cartwise" /staging/

# Run: a slim Debian with only the runtime libraries the binary links.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 zlib1g coinor-libcbc3 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin cartwise \
    && mkdir -p /data /etc/cartwise \
    && chown cartwise:cartwise /data
COPY --from=build /staging/cartwise /usr/local/bin/cartwise
COPY config/cartwise.json /etc/cartwise/cartwise.json
USER cartwise
WORKDIR /data
VOLUME ["/data"]
ENV CARTWISE_CONFIG=/etc/cartwise/cartwise.json \
    CARTWISE_SERVER_HOST=0.0.0.0 \
    CARTWISE_SERVER_PORT=8080 \
    CARTWISE_DATA_DIR=/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["cartwise", "healthcheck", "--port", "8080"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["cartwise"]
CMD ["serve"]
