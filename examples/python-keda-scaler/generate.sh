#!/bin/sh
# Generates the Python stubs of KEDA's external scaler contract into ./generated (not committed),
# with protoc (protobuf-compiler) and grpc_python_plugin (protobuf-compiler-grpc), as the Python
# provider's generate.sh does.
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
  "$proto/externalscaler/externalscaler.proto"
