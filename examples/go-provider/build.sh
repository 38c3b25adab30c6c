#!/bin/sh
# Generates the Go stubs from the contract and builds bin/go-provider, offline, from Debian's Go
# packages in GOPATH mode (see README.md for why not modules).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
proto=${PROTO_DIR:-$here/../../proto/src/main/proto}
for tool in go:golang-go protoc:protobuf-compiler protoc-gen-go:protoc-gen-go protoc-gen-go-grpc:protoc-gen-go-grpc; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    echo "${tool%%:*} is missing: apt-get install ${tool#*:}" >&2
    exit 1
  fi
done
gocode=/usr/share/gocode
# gRPC 1.33 marshals through github.com/golang/protobuf: it must be 1.4+ (proto/registry.go),
# which wraps google.golang.org/protobuf; Debian's 1.3 (the default pick) panics on APIv2 stubs.
for file in google.golang.org/grpc/server.go:golang-google-grpc-dev \
            google.golang.org/protobuf/proto/proto.go:golang-google-protobuf-dev \
            github.com/golang/protobuf/proto/registry.go:golang-github-golang-protobuf-1-5-dev; do
  if [ ! -f "$gocode/src/${file%%:*}" ]; then
    echo "$gocode/src/${file%%:*} is missing: apt-get install ${file#*:}" >&2
    exit 1
  fi
done

# The stubs go where the proto's go_package says, inside a GOPATH of this build's own.
gopath="$here/build/gopath"
rm -rf "$gopath"
mkdir -p "$gopath/src"
protoc -I "$proto" --go_out="$gopath/src" --go-grpc_out="$gopath/src" \
  "$proto/externalmetrics/v1/provider.proto"

cd "$here"
GO111MODULE=off GOPATH="$gopath:$gocode" GOCACHE="${GOCACHE:-$here/build/cache}" \
  go build -o bin/go-provider .
