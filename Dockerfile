# privaudit container image: the release binary (SQLite and PostgreSQL stores built
# in) on a slim Debian, plus the per-index entry point for fleet jobs (deploy/).
#   docker build -t privaudit .
#   docker run --rm -v "$PWD:/work" -w /work privaudit audit --policy p.toml session.pcapng
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The binary links only glibc: SQLite is compiled in (rusqlite `bundled`), TLS is
# rustls, and the PostgreSQL client speaks the protocol itself.
RUN cargo build --release --locked --features postgres \
 && strip target/release/privaudit

FROM debian:bookworm-slim
RUN useradd --uid 10001 --create-home privaudit
COPY --from=build /src/target/release/privaudit /usr/local/bin/privaudit
COPY deploy/audit-index.sh /usr/local/bin/audit-index.sh
USER privaudit
ENTRYPOINT ["privaudit"]
