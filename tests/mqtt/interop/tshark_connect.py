#!/usr/bin/env python3
"""The CONNECTs of real MQTT clients, decoded by wirespan, equal tshark's dissection.

The test makes its own traffic: in a network namespace it creates (and removes), it
starts Debian's mosquitto with a password file, captures its loopback with tcpdump, and
runs mosquitto_pub and mosquitto_sub for MQTT 3.1, 3.1.1 and 5.0 (with wills, will QoS
and retain, user names and passwords, a wrong password, MQTT 5 CONNECT properties and
will properties, QoS 1 and 2). Then, for every CONNECT in the capture, the fields
connect_fields prints (wirespan's pcap reader, dissector and decode_connect) must equal
those of `tshark -d tcp.port==1883,mqtt -T fields`, packet by packet.

    tshark_connect.py CONNECT_FIELDS_EXE WORKDIR      (as root; exits 77 without the tools)
"""
import os
import shutil
import subprocess
import sys
import time

PORT = 1883
USER, PASSWORD = "sensor", "s3cret"


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def main():
    exe, work = sys.argv[1], sys.argv[2]
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
