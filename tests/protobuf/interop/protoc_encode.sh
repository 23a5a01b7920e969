#!/bin/sh
# protoc_encode.sh INTEROP PROTO_DIR WORKDIR: messages encoded by `protoc --encode` decode
# through the wirespan schema to the values libprotobuf reads from their text.
set -eu
interop=$1 protodir=$2 work=$3
command -v protoc >/dev/null || { echo "SKIP: protoc not installed"; exit 77; }
rm -rf "$work"
"$interop" emit 300 "$work"
for txt in "$work"/*.txt; do
  protoc --proto_path="$protodir" --encode=wirespan_test.Everything everything.proto < "$txt" > "${txt%.txt}.bin"
done
"$interop" check "$work"
