# Redis for the container end-to-end test, on the same local Debian base as the image (no
# registry needed): Debian's redis-server, started by the test with its own port and flags.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/*
USER redis
ENTRYPOINT ["redis-server"]
