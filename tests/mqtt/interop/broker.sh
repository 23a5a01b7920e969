# broker.sh — sourced: start Debian's mosquitto in $work on two free loopback ports,
# $port (a password file written here by mosquitto_passwd: user wirespan, password
# s3cret-p4ss) and $open_port (open to anyone); the broker is stopped when the sourcing
# script exits. Needs $work set.
rm -rf "$work"
mkdir -p "$work"
# Two free ports: bind to port 0 and read back what the kernel chose.
ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
port=$1 open_port=$2
mosquitto_passwd -b -c "$work/passwd" wirespan 's3cret-p4ss' 2>/dev/null
cat >"$work/mosquitto.conf" <<CONF
per_listener_settings true
persistence false
log_dest stderr
log_type error
log_type warning
listener $port 127.0.0.1
allow_anonymous false
password_file $work/passwd
listener $open_port 127.0.0.1
allow_anonymous true
CONF
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null || true; wait $broker 2>/dev/null || true' EXIT INT TERM
# Wait until both listeners accept connections.
tries=0
until python3 -c "import socket,sys
for p in sys.argv[1:]: socket.create_connection(('127.0.0.1', int(p)), 1).close()" "$port" "$open_port" 2>/dev/null; do
  tries=$((tries + 1))
  if [ "$tries" -gt 50 ]; then
    echo "mosquitto did not start:" >&2
    cat "$work/mosquitto.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "mosquitto $(mosquitto -h 2>/dev/null | head -1 | sed 's/^mosquitto version //') on 127.0.0.1:$port (password) and :$open_port (anonymous)"
