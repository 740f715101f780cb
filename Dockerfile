# syntax=docker/dockerfile:1
# The irsa-webhook image: built on Debian bookworm with the same install script and build as CI,
# shipped on distroless cc (glibc, libstdc++, CA certificates; no shell), as user 65532.
#   docker build -t irsa-webhook:dev .
# The binary is at /webhook, where manifests and charts written for the upstream image start it,
# and at /usr/local/bin/irsa-webhook.

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# scripts/build-release.sh installs the Debian packages the build needs (install-deps.sh
# --build-only: no test tools), builds the release binary and stages it
# with the shared libraries the runtime image lacks; tests/image/check-runtime.sh runs the same
# script and checks the staged tree starts with nothing else.
RUN bash scripts/build-release.sh /out

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/rootfs/ /
USER 65532:65532
# 8443: the webhook (HTTPS) as the chart runs it; 9999: metrics (plain HTTP).
EXPOSE 8443 9999
ENTRYPOINT ["/webhook"]
