# logwriter: records one simulation run (RabbitMQ topic exchange -> MongoDB).
# Build from the repository root:
#   docker build -f docker/logwriter.Dockerfile -t simces/logwriter .
FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p logwriter \
    && cp target/release/logwriter /usr/local/bin/logwriter

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home logwriter
COPY --from=build /usr/local/bin/logwriter /usr/local/bin/logwriter
USER logwriter
# The endpoints' port when LOGWRITER_HTTP_PORT=8081 (docker/logwriter.env).
EXPOSE 8081
# /health answers 200 while the process runs. Without LOGWRITER_HTTP_PORT there is nothing to
# ask, so the check passes; it assumes LOGWRITER_HTTP_HOST includes loopback (the default
# 0.0.0.0 does). bash's /dev/tcp keeps the image free of curl/wget.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "[ -z \"${LOGWRITER_HTTP_PORT:-}\" ] || { exec 3<>/dev/tcp/127.0.0.1/${LOGWRITER_HTTP_PORT} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3; }"]
# Docker's default 10 s stop grace period fits LOGWRITER_SHUTDOWN_TIMEOUT's default of 8 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/logwriter"]
