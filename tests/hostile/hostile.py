#!/usr/bin/env python3
"""The release server under the floods a hostile (or careless) client in the cluster can aim at
its port, each run against a fresh process on loopback with the default flags.

For every flood it measures and asserts:
  - a healthy client (a new TLS connection and one POST /mutate every 200 ms) is answered
    within 1 s for the whole flood;
  - resident memory stays under 192 MiB (the chart's default limit, 256 MiB, less a quarter);
  - within 30 s after the flood ends, resident memory is back within 20% of its idle figure.
It prints one table row per flood; the README's "Hostile clients" section quotes them.

Usage: tests/hostile/hostile.py [--binary build/bin/irsa-webhook] [--only NAME ...] [--hold S]
Exit status 0 when every assertion held, 1 otherwise.
"""

import argparse
import os
import resource
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHART_LIMIT_MIB = 256
PEAK_LIMIT_MIB = CHART_LIMIT_MIB * 3 // 4
HEALTHY_DEADLINE_S = 1.0
RECOVERY_S = 30
RECOVERY_RATIO = 1.2

REVIEW = open(os.path.join(ROOT, "examples", "reviews", "web.json"), "rb").read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real binary with a fresh certificate and the examples' ServiceAccounts."""

    def __init__(self, binary, workdir, extra=()):
        self.port = free_port()
        self.metrics_port = free_port()
        cert = os.path.join(workdir, "tls.crt")
        key = os.path.join(workdir, "tls.key")
        if not os.path.exists(cert):
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                 "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", key, "-out", cert],
                check=True, capture_output=True)
        self.log_path = os.path.join(workdir, "webhook-%d.log" % self.port)
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--in-cluster=false", "--bind-address=127.0.0.1",
             "--port=%d" % self.port, "--metrics-port=%d" % self.metrics_port,
             "--tls-cert=" + cert, "--tls-key=" + key,
             "--service-accounts=" + os.path.join(ROOT, "examples", "service-accounts.yaml"),
             *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                        "http://127.0.0.1:%d/metrics" % self.metrics_port, timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the server did not start; see " + self.log_path)

    def rss_mib(self):
        with open("/proc/%d/status" % self.process.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def metrics(self):
        with urllib.request.urlopen(
                "http://127.0.0.1:%d/metrics" % self.metrics_port, timeout=5) as answer:
            return answer.read().decode()

    def metric(self, prefix):
        """The sum of every sample whose series starts with `prefix`."""
        total = 0.0
        for line in self.metrics().splitlines():
            if line.startswith(prefix):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


CONTEXT = tls_context()


def request_bytes(body=REVIEW, method="POST", path="/mutate"):
    return (("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %d\r\n\r\n") % (method, path, len(body))).encode() + body


def read_response(conn):
    """Status code of one response read from `conn` (a keep-alive exchange)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        rest += chunk
    return int(head.split(b" ", 2)[1])


def tls_connect(port, timeout=10.0):
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return CONTEXT.wrap_socket(raw, server_hostname="127.0.0.1")


class HealthyClient(threading.Thread):
    """A well-behaved API server: a new connection and one review every 200 ms."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.latencies = []
        self.failures = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            start = time.monotonic()
            try:
                with tls_connect(self.port, timeout=HEALTHY_DEADLINE_S) as conn:
                    conn.settimeout(max(0.01, HEALTHY_DEADLINE_S - (time.monotonic() - start)))
                    conn.sendall(request_bytes())
                    status = read_response(conn)
                took = time.monotonic() - start
                if status != 200:
                    self.failures.append("status %d" % status)
                elif took > HEALTHY_DEADLINE_S:
                    self.failures.append("took %.2f s" % took)
                self.latencies.append(took)
            except (OSError, ConnectionError, ssl.SSLError) as error:
                self.failures.append("%s after %.2f s" % (type(error).__name__,
                                                          time.monotonic() - start))
            self.stopping.wait(0.2)

    def stop(self):
        self.stopping.set()
        self.join()


# The floods. Each takes the server and how long to hold, opens what it opens, holds it while
# the healthy client runs, and closes everything before returning.

def hold_connections(make, count, hold, peak):
    held = []
    for _ in range(count):
        try:
            held.append(make())
        except (OSError, ssl.SSLError):
            pass  # refused or evicted at the cap: the point of the flood
        peak.sample()
    opened = len(held)
    end = time.monotonic() + hold
    while time.monotonic() < end:
        peak.sample()
        time.sleep(0.2)
    for conn in held:
        try:
            conn.close()
        except OSError:
            pass
    return "%d of %d opened" % (opened, count)


def flood_idle_keepalive(server, hold, peak):
    def make():
        conn = tls_connect(server.port)
        conn.sendall(request_bytes())
        read_response(conn)
        return conn
    return hold_connections(make, 4096, hold, peak)


def flood_unhandshaked(server, hold, peak):
    return hold_connections(
        lambda: socket.create_connection(("127.0.0.1", server.port), timeout=5), 4096, hold,
        peak)


def flood_slowloris(server, hold, peak):
    def make():
        conn = tls_connect(server.port)
        conn.sendall(b"POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        return conn
    return hold_connections(make, 4096, hold, peak)


def flood_large_headers(server, hold, peak):
    """Slowloris with headers just under the 16 KiB limit, never finished."""
    head = b"POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * (15 * 1024)

    def make():
        conn = tls_connect(server.port)
        conn.sendall(head)
        return conn
    return hold_connections(make, 4096, hold, peak)


def flood_stalled_bodies(server, hold, peak):
    """40 connections, each part-way through a 7 MiB body, then silent."""
    size = 7 * 1024 * 1024 - 1024
    head = ("POST /mutate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % size).encode()
    part = b"x" * (size - 64 * 1024)

    def make():
        conn = tls_connect(server.port)
        conn.settimeout(30)
        conn.sendall(head + part)
        return conn
    return hold_connections(make, 40, hold, peak)


def flood_methods(server, hold, peak):
    """20,000 made-up methods, each on a fresh request, then /metrics' size."""
    sent = 0
    conn = tls_connect(server.port)
    for i in range(20000):
        conn.sendall(request_bytes(method="M%05d" % i))
        try:
            read_response(conn)
        except ConnectionError:
            conn.close()
            conn = tls_connect(server.port)
        sent += 1
        if i % 500 == 0:
            peak.sample()
    conn.close()
    time.sleep(hold)
    return "%d requests; /metrics %d bytes" % (sent, len(server.metrics()))


FLOODS = {
    "idle-keepalive": ("4,096 idle keep-alive connections", flood_idle_keepalive),
    "unhandshaked": ("4,096 connections that never handshake", flood_unhandshaked),
    "slowloris": ("4,096 connections sending headers slowly", flood_slowloris),
    "large-headers": ("4,096 connections stalled in 15 KiB of headers", flood_large_headers),
    "stalled-bodies": ("40 connections stalled in a 7 MiB body", flood_stalled_bodies),
    "methods": ("20,000 made-up HTTP methods", flood_methods),
}


class Peak:
    def __init__(self, server):
        self.server = server
        self.mib = server.rss_mib()

    def sample(self):
        self.mib = max(self.mib, self.server.rss_mib())


def run_flood(binary, workdir, name, hold):
    title, flood = FLOODS[name]
    server = Server(binary, workdir)
    try:
        # Warm up as a real server would be: some reviews served first.
        with tls_connect(server.port) as conn:
            for _ in range(200):
                conn.sendall(request_bytes())
                read_response(conn)
        time.sleep(1)
        idle = server.rss_mib()
        healthy = HealthyClient(server.port)
        peak = Peak(server)
        healthy.start()
        started = time.monotonic()
        detail = flood(server, hold, peak)
        flood_s = time.monotonic() - started
        healthy.stop()
        peak.sample()
        # Back to idle: sampled every second for up to RECOVERY_S.
        recovered_after = None
        after = server.rss_mib()
        for second in range(RECOVERY_S + 1):
            after = server.rss_mib()
            if after <= idle * RECOVERY_RATIO:
                recovered_after = second
                break
            time.sleep(1)
        latencies = sorted(healthy.latencies) or [float("nan")]
        evicted = server.metric("irsa_webhook_connections_closed_for_pressure_total")
        refused = server.metric("irsa_webhook_overload_refusals_total")
        alive = server.process.poll() is None
    finally:
        server.stop()
    problems = []
    if not alive:
        problems.append("the server died")
    if healthy.failures:
        problems.append("healthy client: %d of %d failed (%s)" % (
            len(healthy.failures), len(healthy.failures) + len(healthy.latencies),
            "; ".join(sorted(set(healthy.failures))[:3])))
    if peak.mib > PEAK_LIMIT_MIB:
        problems.append("peak %.0f MiB over %d MiB" % (peak.mib, PEAK_LIMIT_MIB))
    if recovered_after is None:
        problems.append("still %.1f MiB after %d s (idle %.1f MiB)" % (after, RECOVERY_S, idle))
    row = ("| %s | %s | %.1f | %.1f | %s | %d, max %.0f ms | %.0f ms | %d / %d |" % (
        title, detail, idle, peak.mib,
        "%.1f MiB after %d s" % (after, recovered_after) if recovered_after is not None
        else "%.1f MiB after %d s" % (after, RECOVERY_S),
        len(healthy.latencies), latencies[-1] * 1000,
        latencies[len(latencies) // 2] * 1000, evicted, refused))
    return row, problems, flood_s


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "bin", "irsa-webhook"))
    parser.add_argument("--only", nargs="*", choices=sorted(FLOODS), default=None)
    parser.add_argument("--hold", type=float, default=15.0,
                        help="seconds each flood is held once it is in place")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 9000:
        print("hostile: needs 9,000 open files (the hard limit is %d)" % hard)
        return 1
    failed = False
    print("| flood | what the flood got | idle MiB | peak MiB | memory after | healthy "
          "answers (max) | healthy median | closed for pressure / refused |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="irsa-hostile-") as workdir:
        for name in args.only or list(FLOODS):
            row, problems, _ = run_flood(args.binary, workdir, name, args.hold)
            print(row, flush=True)
            for problem in problems:
                failed = True
                print("  FAILED %s: %s" % (name, problem), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
