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
# Docker's default 10 s stop grace period fits LOGWRITER_SHUTDOWN_TIMEOUT's default of 8 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/logwriter"]
