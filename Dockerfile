# syntax=docker/dockerfile:1
# The irsa-webhook image: built on Debian bookworm with the same install script and build as CI,
# shipped on distroless cc (glibc, libstdc++, CA certificates; no shell), as user 65532.
#   docker build -t irsa-webhook:dev .
#   podman build --platform linux/amd64,linux/arm64 --manifest irsa-webhook:dev .   (make image
#   PLATFORMS=linux/amd64,linux/arm64 does this)
# The build stage runs on the builder's own platform and cross-compiles for the target's
# (TARGETARCH) with Debian's cross compiler, so an arm64 image builds at native speed on amd64
# (and the other way round) with no emulation; the runtime stage only copies files. Podman before
# 4.4 does not set BUILDPLATFORM: give it (--build-arg BUILDPLATFORM=linux/amd64), as make image
# does, or that stage is built for the target's platform, under emulation.
# The binary is at /webhook, where manifests and charts written for the upstream image start it,
# and at /usr/local/bin/irsa-webhook.

# The runtime base: distroless cc for the target's platform. Another base with the same libraries,
# CA bundle and user 65532 can be named here (make image does so with its offline stand-ins).
ARG RUNTIME_BASE=gcr.io/distroless/cc-debian12:nonroot

FROM --platform=$BUILDPLATFORM docker.io/library/debian:bookworm AS build
# Set by BuildKit, buildx and podman for each platform built; empty for a builder that sets
# none, which builds for its own platform.
ARG TARGETARCH
WORKDIR /src
COPY . .
# scripts/build-release.sh installs the Debian packages the build needs (install-deps.sh
# --build-only: no test tools; --arch adds the cross compiler and the target's libraries), builds
# the release binary and stages it with the shared libraries the runtime image lacks;
# tests/image/check-runtime.sh runs the same script and checks the staged tree starts with
# nothing else.
RUN bash scripts/build-release.sh --arch "${TARGETARCH}" /out

# The target's platform said again: podman 4.3 looks a stage's base up for the platform of the
# stage before it (here the builder's) unless told.
FROM --platform=$TARGETPLATFORM ${RUNTIME_BASE}
COPY --from=build /out/rootfs/ /
USER 65532:65532
# 8443: the webhook (HTTPS) as the chart runs it; 9999: metrics (plain HTTP).
EXPOSE 8443 9999
ENTRYPOINT ["/webhook"]
