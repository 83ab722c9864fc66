# logreader: the HTTP read and export API. Build from the repository root:
#   docker build -f docker/logreader.Dockerfile -t simces/logreader .
FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p logreader \
    && cp target/release/logreader /usr/local/bin/logreader

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home logreader
COPY --from=build /usr/local/bin/logreader /usr/local/bin/logreader
USER logreader
ENV LOGREADER_PORT=8080
EXPOSE 8080
# bash's /dev/tcp keeps the image free of curl/wget.
HEALTHCHECK --interval=15s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${LOGREADER_PORT} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["/usr/local/bin/logreader"]
