#!/bin/sh
# Generates the Python stubs from the contract into ./generated (not committed).
#
# Debian's python3-grpc-tools (1.14) bundles protoc 3.5, too old for the contract's proto3
# `optional`; so protoc (protobuf-compiler, 3.21) writes the messages and grpc_python_plugin
# (protobuf-compiler-grpc, built from the same gRPC 1.51 as python3-grpcio) writes the service.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
proto=${PROTO_DIR:-$here/../../proto/src/main/proto}
for tool in protoc:protobuf-compiler grpc_python_plugin:protobuf-compiler-grpc; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    echo "${tool%%:*} is missing: apt-get install ${tool#*:}" >&2
    exit 1
  fi
done
rm -rf "$here/generated"
mkdir -p "$here/generated"
protoc -I "$proto" \
  --python_out="$here/generated" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" --grpc_python_out="$here/generated" \
  "$proto/externalmetrics/v1/provider.proto"
