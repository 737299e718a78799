#!/usr/bin/env bash
# Builds the container images of the api, inference and jobs services with the .NET SDK (no Dockerfile).
#
#   deploy/build-images.sh                      # into the local docker/podman, or image archives when no engine answers
#   TAG=1.2.0 REGISTRY=myregistry.azurecr.io deploy/build-images.sh   # push to a registry (after `docker login` / `az acr login`)
#   ARCHIVE_DIR=/tmp/images deploy/build-images.sh                     # always write archives (.tar.gz, `docker load -i`)
#   BASE_IMAGE=localhost:5000/dotnet/aspnet:10.0 deploy/build-images.sh  # another base image (see deploy/offline/)
#
# Images: abstractcore/api, abstractcore/inference, abstractcore/jobs (tag $TAG, default latest). Each runs as the
# non-root user 1654, listens on 8080, and starts with `dotnet /app/<service>.dll`. Inference is published for
# linux-x64 (RID=linux-arm64 for ARM hosts) so that its image carries ONNX Runtime's native libraries for that RID.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TAG="${TAG:-latest}"
RID="${RID:-linux-x64}"
properties=("-p:ContainerImageTag=$TAG")
[ -n "${REGISTRY:-}" ] && properties+=("-p:ContainerRegistry=$REGISTRY")
[ -n "${BASE_IMAGE:-}" ] && properties+=("-p:ContainerBaseImage=$BASE_IMAGE")
if [ -n "${ARCHIVE_DIR:-}" ]; then
    mkdir -p "$ARCHIVE_DIR"
    ARCHIVE_DIR="$(cd "$ARCHIVE_DIR" && pwd)"
fi
# A base image on this machine's own registry is served over plain HTTP.
case "${BASE_IMAGE:-}" in
    localhost:*|127.0.0.1:*) export DOTNET_CONTAINER_INSECURE_REGISTRIES="${BASE_IMAGE%%/*}" ;;
esac

for service in Api Inference Jobs; do
    echo "== abstractcore/${service,,}:$TAG"
    archive=()
    [ -n "${ARCHIVE_DIR:-}" ] && archive=("-p:ContainerArchiveOutputPath=$ARCHIVE_DIR/abstractcore-${service,,}.tar")
    dotnet publish "AbstractCore.$service/AbstractCore.$service.csproj" -c Release -r "$RID" --self-contained false \
        -t:PublishContainer "${properties[@]}" "${archive[@]}" -nologo -v:minimal
done

# Without an engine, Containers.props writes the archives to artifacts/containers/ (ARCHIVE_DIR overrides).
archives="${ARCHIVE_DIR:-artifacts/containers}"
if [ -d "$archives" ]; then
    ls -l "$archives"
fi
