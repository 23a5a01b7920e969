#!/bin/sh
# mosquitto.sh EXE WORKDIR — start Debian's mosquitto on two free loopback ports (one with
# a password file written here by mosquitto_passwd, one open to anyone), run EXE against
# it (mosquitto_connect.cpp), and stop the broker. Exits 77 (skip) without mosquitto.
set -eu
exe=$1 work=$2
if ! command -v mosquitto >/dev/null 2>&1 || ! command -v mosquitto_passwd >/dev/null 2>&1; then
  echo "SKIP: mosquitto is not installed (Debian: mosquitto)"
  exit 77
fi
. "$(dirname "$0")/broker.sh"
"$exe" "$port" "$open_port" wirespan 's3cret-p4ss'
