#!/usr/bin/env python3
"""The MQTT traffic of real clients, decoded by wirespan, equals tshark's dissection.

The test makes its own traffic: in a network namespace it creates (and removes), it
starts Debian's mosquitto with a password file, captures its loopback with tcpdump, and
runs mosquitto_pub and mosquitto_sub for MQTT 3.1, 3.1.1 and 5.0 (with wills, will QoS
and retain, user names and passwords, a wrong password, MQTT 5 CONNECT properties and
will properties, QoS 1 and 2). Then, for every CONNECT in the capture, the fields
connect_fields prints (wirespan's pcap reader, dissector and decode_connect) must equal
those of `tshark -d tcp.port==PORT,mqtt -T fields`, packet by packet; and for every
frame, every MQTT field of every packet type (CONNACK, PUBLISH at QoS 0, 1 and 2 with
MQTT 5 properties, the acknowledgements, SUBSCRIBE with options, SUBACK, UNSUBSCRIBE,
UNSUBACK, DISCONNECT) that `wirespan decode --json -d tcp.port==PORT,mqtt` prints must
equal tshark's. The broker listens on a port other than 1883, so that both need -d.

    tshark_connect.py CONNECT_FIELDS_EXE WIRESPAN WORKDIR   (as root; exits 77 without the tools)
"""
import json
import os
import shutil
import subprocess
import sys
import time

PORT = 18830
USER, PASSWORD = "sensor", "s3cret"


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def main():
    exe, wirespan, work = sys.argv[1], sys.argv[2], sys.argv[3]
    for tool in ("mosquitto", "mosquitto_pub", "mosquitto_sub", "mosquitto_passwd", "tcpdump", "tshark", "ip"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return 77
    if os.geteuid() != 0:
        print("SKIP: needs root (a network namespace and a capture)")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chmod(work, 0o755)
    ns = f"wsmqtt{os.getpid()}"
    cap = os.path.join(work, "mqtt.pcap")
    procs = []
    run("ip", "netns", "add", ns)
    try:
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        passwd = os.path.join(work, "passwd")
        run("mosquitto_passwd", "-b", "-c", passwd, USER, PASSWORD)
        conf = os.path.join(work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {PORT} 127.0.0.1\nallow_anonymous false\npassword_file {passwd}\npersistence false\n")
        broker = subprocess.Popen(["ip", "netns", "exec", ns, "mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        procs.append(broker)
        for _ in range(50):
            probe = run("ip", "netns", "exec", ns, "python3", "-c",
                        f"import socket; socket.create_connection(('127.0.0.1', {PORT}), 1).close()", check=False)
            if probe.returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("mosquitto did not start")
        dump = subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "--immediate-mode", "-Z", "root", "-i", "lo", "-U",
                                 "-s", "0", "-w", cap, "tcp", "port", str(PORT)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        procs.append(dump)
        line = dump.stderr.readline()
        if "listening" not in line:
            raise RuntimeError("tcpdump did not start: " + line)
        base = ["ip", "netns", "exec", ns]
        common = ["-h", "127.0.0.1", "-p", str(PORT), "-u", USER, "-P", PASSWORD]
        v5_props = ["-D", "connect", "session-expiry-interval", "120", "-D", "connect", "user-property", "site", "lab",
                    "-D", "connect", "maximum-packet-size", "65536", "-D", "connect", "receive-maximum", "10",
                    "-D", "connect", "topic-alias-maximum", "5", "-D", "connect", "request-problem-information", "1",
                    "-D", "connect", "request-response-information", "1"]
        will_props = ["-D", "will", "content-type", "text/plain", "-D", "will", "message-expiry-interval", "60",
                      "-D", "will", "payload-format-indicator", "1", "-D", "will", "will-delay-interval", "5",
                      "-D", "will", "response-topic", "reply/5", "-D", "will", "correlation-data", "42",
                      "-D", "will", "user-property", "k", "v"]
        publish_props = ["-D", "publish", "content-type", "text/plain", "-D", "publish", "message-expiry-interval",
                         "30", "-D", "publish", "payload-format-indicator", "1", "-D", "publish", "response-topic", "r/1",
                         "-D", "publish", "correlation-data", "abc", "-D", "publish", "user-property", "a", "b",
                         "-D", "publish", "topic-alias", "1"]
        clients = [
            ["mosquitto_pub", "-V", "mqttv31", "-i", "client-31", *common, "-t", "t/31", "-m", "m31"],
            ["mosquitto_pub", "-V", "mqttv31", "-i", "client-31w", "-k", "20", *common, "--will-topic", "w/31",
             "--will-payload", "bye", "--will-qos", "1", "-t", "t/31", "-m", "m", "-q", "1"],
            ["mosquitto_pub", "-V", "mqttv311", "-i", "client-311", "-k", "15", *common, "--will-topic", "w/311",
             "--will-payload", "offline", "--will-qos", "2", "-t", "t/311", "-m", "m311", "-q", "1"],
            ["mosquitto_pub", "-V", "mqttv311", "-i", "client-311r", *common, "--will-topic", "w/r", "--will-payload",
             "x", "--will-retain", "-t", "t/311", "-m", "retained", "-q", "2", "-r"],
            ["mosquitto_sub", "-V", "mqttv311", "-i", "sub-311", "-c", "-q", "1", *common, "-t", "t/#", "-E"],
            ["mosquitto_pub", "-V", "mqttv5", "-i", "client-5", *common, *v5_props, "--will-topic", "w/5",
             "--will-payload", "gone", "--will-qos", "1", *will_props, "-t", "t/5", "-m", "m5", "-q", "2"],
            ["mosquitto_pub", "-V", "mqttv5", "-i", "client-5b", *common, "-t", "t/5", "-m", "plain"],
            ["mosquitto_sub", "-V", "mqttv5", "-i", "sub-5", "-q", "2", *common, "-x", "300", "-t", "t/5", "-E"],
            ["mosquitto_pub", "-V", "mqttv5", "-i", "client-5p", *common, *publish_props, "-t", "t/5p", "-m", "props",
             "-q", "1"],
            ["mosquitto_sub", "-V", "mqttv311", "-i", "sub-311u", *common, "-U", "t/old", "-t", "t/new", "-E"],
            ["mosquitto_sub", "-V", "mqttv5", "-i", "sub-5u", *common, "-U", "t/old", "-t", "t/new", "-t", "t/5p", "-q",
             "1", "-D", "subscribe", "user-property", "k", "v", "-D", "unsubscribe", "user-property", "u", "w", "-E"],
            ["mosquitto_sub", "-V", "mqttv5", "-i", "sub-5r", *common, "-q", "2", "-t", "t/311", "-C", "1"],
            ["mosquitto_sub", "-V", "mqttv311", "-i", "sub-311r", *common, "-q", "2", "-t", "t/311", "-C", "1"],
            ["mosquitto_pub", "-V", "mqttv311", "-i", "wrong-311", "-h", "127.0.0.1", "-p", str(PORT), "-u", USER, "-P",
             "wrong", "-t", "t", "-m", "m"],
            ["mosquitto_pub", "-V", "mqttv5", "-i", "wrong-5", "-h", "127.0.0.1", "-p", str(PORT), "-u", USER, "-P",
             "wrong", "-t", "t", "-m", "m"],
        ]
        for c in clients:
            run(*base, *c, check=False, timeout=20)
        time.sleep(0.5)
        dump.send_signal(2)
        dump.wait(timeout=10)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        pids = run("ip", "netns", "pids", ns, check=False).stdout.split()
        for pid in pids:
            run("kill", "-9", pid, check=False)
        run("ip", "netns", "del", ns, check=False)

    fields = run(exe, "--fields").stdout.split()
    args = []
    for f in fields:
        args += ["-e", f]
    shark = run("tshark", "-r", cap, "-d", f"tcp.port=={PORT},mqtt", "-Y", "mqtt.msgtype == 1", "-T", "fields",
                "-E", "separator=|", *args).stdout.splitlines()
    ours_run = run(exe, cap, str(PORT), check=False)
    ours = ours_run.stdout.splitlines()
    if ours_run.returncode != 0:
        print(ours_run.stderr)
        print("FAIL: wirespan did not decode every CONNECT")
        return 1
    print(f"{len(shark)} CONNECTs in the capture (tshark), {len(ours)} decoded by wirespan; fields: {' '.join(fields)}")
    bad = 0
    for i in range(max(len(shark), len(ours))):
        a = shark[i] if i < len(shark) else "(none)"
        b = ours[i] if i < len(ours) else "(none)"
        if a != b:
            bad += 1
            print(f"DIFFERENT\n  tshark:   {a}\n  wirespan: {b}")
    versions = {line.split("|")[5] for line in ours}
    if len(shark) < len(clients) or versions != {"3", "4", "5"}:
        print(f"FAIL: expected {len(clients)} CONNECTs of versions 3, 4 and 5; got {len(shark)}, versions {sorted(versions)}")
        return 1
    for line in ours:
        print("  " + line)
    if bad:
        print(f"FAIL: {bad} CONNECTs differ")
        return 1
    print("all CONNECT fields equal tshark's")
    return compare_decode(wirespan, cap)


MQTT_FIELDS = """mqtt.hdrflags mqtt.msgtype mqtt.dupflag mqtt.qos mqtt.retain mqtt.len mqtt.proto_len mqtt.protoname
mqtt.ver mqtt.conflags mqtt.conflag.uname mqtt.conflag.passwd mqtt.conflag.retain mqtt.conflag.qos
mqtt.conflag.willflag mqtt.conflag.cleansess mqtt.kalive mqtt.clientid_len mqtt.clientid mqtt.willtopic_len
mqtt.willtopic mqtt.willmsg_len mqtt.willmsg mqtt.username_len mqtt.username mqtt.passwd_len mqtt.passwd
mqtt.conack.flags mqtt.conack.flags.sp mqtt.conack.val mqtt.connack.reason_code mqtt.topic_len mqtt.topic
mqtt.msgid mqtt.msg mqtt.sub.qos mqtt.suback.qos mqtt.subscription_options mqtt.puback.reason_code
mqtt.pubrec.reason_code mqtt.pubrel.reason_code mqtt.pubcomp.reason_code mqtt.suback.reason_code
mqtt.unsuback.reason_code mqtt.disconnect.reason_code mqtt.property_len mqtt.property_id mqtt.prop_number
mqtt.prop_string mqtt.prop_key mqtt.prop_value mqtt.property.content_type mqtt.property.topic_alias
mqtt.property.max_qos""".split()


def flatten(packets, field):
    out = []
    for p in packets:
        v = p.get(field)
        if v is None:
            continue
        for x in v if isinstance(v, list) else [v]:
            out.append(str(x))
    return ",".join(out)


def compare_decode(wirespan, cap):
    """Every MQTT field wirespan decode prints, frame by frame, against tshark's."""
    args = []
    for f in MQTT_FIELDS:
        args += ["-e", f]
    shark = {}
    for line in run("tshark", "-r", cap, "-d", f"tcp.port=={PORT},mqtt", "-Y", "mqtt", "-T", "fields", "-E",
                    "separator=|", "-E", "occurrence=a", "-e", "frame.number", *args).stdout.splitlines():
        cols = line.split("|")
        shark[int(cols[0])] = cols[1:]
    ours = {}
    decoded = run(wirespan, "decode", "--json", "-d", f"tcp.port=={PORT},mqtt", cap)
    types = set()
    for line in decoded.stdout.splitlines():
        frame = json.loads(line)
        packets = frame.get("mqtt")
        if not packets:
            continue
        for p in packets:
            if "error" in p or "mqtt.incomplete" in p:
                print(f"FAIL: frame {frame['frame']}: {p}")
                return 1
            types.add(p["mqtt.msgtype"])
        ours[frame["frame"]] = [flatten(packets, f) for f in MQTT_FIELDS]
    # Without -d, port PORT is not MQTT.
    plain = run(wirespan, "decode", "--json", cap).stdout
    if '"mqtt"' in plain:
        print(f"FAIL: wirespan decode took port {PORT} for MQTT without -d")
        return 1
    bad = 0
    for n in sorted(set(shark) | set(ours)):
        a, b = shark.get(n), ours.get(n)
        if a is None or b is None:
            bad += 1
            print(f"frame {n}: MQTT in {'wirespan' if a is None else 'tshark'} only")
            continue
        for f, x, y in zip(MQTT_FIELDS, a, b):
            if x != y:
                bad += 1
                print(f"frame {n} {f}: tshark {x!r}, wirespan {y!r}")
    print(f"{len(shark)} frames with MQTT (tshark), {len(ours)} (wirespan); packet types {sorted(types)}")
    want = set(range(1, 12)) | {14}
    if not want <= types:
        print(f"FAIL: the capture lacks packet types {sorted(want - types)}")
        return 1
    if bad:
        print(f"FAIL: {bad} fields differ")
        return 1
    print(f"all {len(MQTT_FIELDS)} MQTT fields of every frame equal tshark's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
