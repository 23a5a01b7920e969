#!/bin/sh
# mosquitto_tool.sh WIRESPAN WORKDIR — `wirespan mqtt` against Debian's mosquitto (started
# by broker.sh on loopback, stopped at the end):
#   - connect for 3.1, 3.1.1 and 5.0 (with will, properties, user name and password) is
#     accepted: exit 0, the CONNACK printed with Wireshark's names; a wrong password is
#     refused with the version's code (3.x: mqtt.conack.val 5; 5.0:
#     mqtt.connack.reason_code 135) and exit 1;
#   - sub, at QoS 0, 1 and 2, receives what mosquitto_pub publishes (topic and payload);
#   - pub, at QoS 0, 1 and 2, reaches mosquitto_sub, completing each QoS exchange.
# Exits 77 (skip) without mosquitto and its clients.
set -eu
tool=$1 work=$2
for t in mosquitto mosquitto_passwd mosquitto_pub mosquitto_sub; do
  if ! command -v $t >/dev/null 2>&1; then
    echo "SKIP: $t is not installed (Debian: mosquitto mosquitto-clients)"
    exit 77
  fi
done
. "$(dirname "$0")/broker.sh"
failures=0
pass() { echo "ok: $1"; }
bad() { echo "FAIL: $1" >&2; failures=$((failures + 1)); }
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }

# ---- connect ----------------------------------------------------------------------------
for v in 3.1 3.1.1 5; do
  field='"mqtt.conack.val":0'
  [ "$v" = 5 ] && field='"mqtt.connack.reason_code":0'
  if out=$("$tool" mqtt connect --port "$open_port" --version "$v" --client-id "wc-$v" 2>&1) &&
     echo "$out" | grep -q "$field"; then pass "connect $v accepted: $out"; else bad "connect $v: $out"; fi
  if out=$("$tool" mqtt connect --port "$port" --version "$v" --client-id "wp-$v" --username wirespan \
       --password 's3cret-p4ss' --will-topic "will/$v" --will-payload gone --will-qos 1 --will-retain 2>&1) &&
     echo "$out" | grep -q "$field"; then pass "connect $v with user, password and will"; else bad "connect $v with password: $out"; fi
  want='"mqtt.conack.val":5'
  [ "$v" = 5 ] && want='"mqtt.connack.reason_code":135'
  if out=$("$tool" mqtt connect --port "$port" --version "$v" --client-id "ww-$v" --username wirespan --password wrong 2>&1); then
    bad "connect $v with a wrong password exited 0: $out"
  elif echo "$out" | grep -q "$want"; then pass "connect $v wrong password refused: $want"; else bad "connect $v wrong password: $out"; fi
done
if out=$("$tool" mqtt connect --port "$open_port" --version 5 --client-id wprops --property session-expiry-interval=30 \
     --property receive-maximum=20 --property user-property=site=lab --property request-problem-information=1 2>&1) &&
   echo "$out" | grep -q '"mqtt.connack.reason_code":0'; then pass "connect 5 with properties"; else bad "connect 5 with properties: $out"; fi

# ---- sub receives mosquitto_pub ---------------------------------------------------------
for v in 3.1.1 5; do
  for q in 0 1 2; do
    out="$work/sub-$v-$q.json"
    "$tool" mqtt sub --port "$open_port" --version "$v" --client-id "ws-$v-$q" --topic "t/+/q$q" --qos "$q" --count 3 \
      >"$out" 2>"$work/sub.err" &
    sub=$!
    tries=0
    until grep -q '"mqtt.msgtype":9' "$out" 2>/dev/null; do
      tries=$((tries + 1))
      if [ "$tries" -gt 100 ]; then bad "no SUBACK within 10 s"; break; fi
      sleep 0.1
    done
    pv=mqttv311
    [ "$v" = 5 ] && pv=mqttv5
    for i in 1 2 3; do mosquitto_pub -p "$open_port" -V "$pv" -q "$q" -t "t/$i/q$q" -m "hello $i at $q"; done
    if wait $sub; then
      got=$(grep -c '"mqtt.msgtype":3' "$out" || true)
      ok=1
      for i in 1 2 3; do
        grep -q "\"mqtt.topic\":\"t/$i/q$q\".*\"mqtt.msg\":\"$(hex "hello $i at $q")\"" "$out" || ok=0
      done
      if [ "$got" = 3 ] && [ $ok = 1 ]; then pass "sub $v QoS $q received 3 PUBLISH from mosquitto_pub"; else bad "sub $v QoS $q: $(cat "$out")"; fi
    else
      bad "sub $v QoS $q failed: $(cat "$work/sub.err") $(cat "$out")"
    fi
  done
done

# ---- pub reaches mosquitto_sub ----------------------------------------------------------
for v in 3.1 3.1.1 5; do
  for q in 0 1 2; do
    out="$work/msub-$v-$q.txt"
    stdbuf -oL mosquitto_sub -p "$open_port" -d -v -q 2 -t "w/$v/#" -C 3 -W 20 >"$out" 2>&1 &
    sub=$!
    tries=0
    until grep -q SUBACK "$out" 2>/dev/null; do
      tries=$((tries + 1))
      if [ "$tries" -gt 100 ]; then bad "no SUBACK within 10 s"; break; fi
      sleep 0.1
    done
    if res=$("$tool" mqtt pub --port "$open_port" --version "$v" --client-id "wpub-$v-$q" --topic "w/$v/q$q" \
         --message "m$q" --qos "$q" --count 3 2>&1); then :; else bad "pub $v QoS $q: $res"; fi
    acks=$(echo "$res" | grep -c '"mqtt.msgtype":[47]' || true)
    want=3
    [ "$q" = 0 ] && want=0
    wait $sub || true
    got=$(grep -c "^w/$v/q$q m$q\$" "$out" || true)
    if [ "$got" = 3 ] && [ "$acks" = "$want" ]; then pass "pub $v QoS $q: 3 messages reached mosquitto_sub, $acks acknowledged";
    else bad "pub $v QoS $q: mosquitto_sub got $got, acks $acks: $(cat "$out") $res"; fi
  done
done

if [ $failures -ne 0 ]; then
  echo "$failures checks failed" >&2
  exit 1
fi
echo "all checks passed"
