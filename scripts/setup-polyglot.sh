#!/usr/bin/env bash
# Prepares the non-Java example providers for PolyglotProvidersTest (and the Python KEDA external
# scaler for KedaScalersTest): installs their toolchains
# with apt-get (as root, only when something is missing), runs npm ci for the Node.js provider,
# generates the Python stubs and builds the Go binary. Idempotent; a second run takes seconds.
#
# Exits non-zero naming what failed; the test then fails too, naming the missing package.
set -uo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup-polyglot: $*" >&2; }
failed=()

# Debian's packages. python3-grpc-tools is not among them: it bundles protoc 3.5, too old for
# the contract's proto3 `optional`; protoc + grpc_python_plugin generate the Python stubs.
# golang-github-golang-protobuf-1-5-dev, not the 1-3 apt would pick: gRPC 1.33 needs 1.4+.
packages=(python3 python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc
          golang-go golang-google-grpc-dev golang-google-protobuf-dev
          golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null)" != "ii " ]; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || say "apt-get update failed; trying the install anyway"
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      failed+=("apt-get install ${missing[*]}")
    fi
  else
    failed+=("missing Debian packages (run this as root to install them): ${missing[*]}")
  fi
fi

# Node.js: exact dependencies from package-lock.json, again only when the lock file changed.
node_dir=examples/node-provider
if [ "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
  :
elif ! (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
  failed+=("npm ci in $node_dir (needs the npm registry for @grpc/grpc-js and @grpc/proto-loader)")
fi

examples/python-provider/generate.sh || failed+=("examples/python-provider/generate.sh")
examples/python-keda-scaler/generate.sh || failed+=("examples/python-keda-scaler/generate.sh")
examples/go-provider/build.sh || failed+=("examples/go-provider/build.sh")

if [ ${#failed[@]} -gt 0 ]; then
  for failure in "${failed[@]}"; do say "FAILED: $failure"; done
  exit 1
fi
say "python, node and go providers and the python KEDA scaler ready"
