#!/usr/bin/env python3
"""`make bench-load`: what one admission costs, against the transport ceiling of the same run.

The webhook runs with one worker thread pinned to one core and irsa-loadgen on the other. The
ceiling is nginx on the same core with the same certificate, answering the same requests with the
webhook's own response bytes as a static file: the cheapest HTTPS exchange of those sizes there is.
Every scenario runs closed loop (as fast as answers come) and open loop at fixed rates.

Writes bench/results/<run>.json for every run, bench/results/summary.json, prints the table and
puts it into README.md between the bench-table markers.

Environment: BENCH_DURATION (default 10s) and BENCH_WARMUP (2s) per run, BENCH_RATES (1000,5000,
10000), BENCH_CONNECTIONS (32), BENCH_ACCOUNTS (10000), SERVER_CPU / CLIENT_CPU (0 / 1),
BENCH_PROBE (5: seconds of the machine-speed probe before the runs),
BENCH_RESULTS (bench/results), BENCH_README (README.md; "-" leaves it alone), BENCH_BIN (build/bin).
"""

import datetime
import json
import os
import pathlib
import platform
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("BENCH_BIN", ROOT / "build" / "bin"))
SHARED = pathlib.Path(os.environ.get("IRSA_SHARED_DIR", ROOT.parent / "shared"))
TYPICAL = pathlib.Path(os.environ.get("REVIEW", SHARED / "bench" / "typical-review.json"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
WARMUP = os.environ.get("BENCH_WARMUP", "2s")
RATES = [int(r) for r in os.environ.get("BENCH_RATES", "1000,5000,10000").split(",") if r]
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
ACCOUNTS = os.environ.get("BENCH_ACCOUNTS", "10000")
PROBE_SECONDS = float(os.environ.get("BENCH_PROBE", "5"))
SERVER_CPU = os.environ.get("SERVER_CPU", "0")
CLIENT_CPU = os.environ.get("CLIENT_CPU", "1")
RESULTS = pathlib.Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results"))
README = os.environ.get("BENCH_README", str(ROOT / "README.md"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# One request size each: tiny (~1 KB), the shared typical review, large (~64 KB, 40 containers);
# "mixed" is the weighted corpus of all three, with accounts with and without roles.
SIZES = ["tiny", "typical", "large"]


def say(text):
    print(f"bench-load: {text}", file=sys.stderr, flush=True)


def fail(text):
    say(text)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def insecure():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def post(url, body):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=insecure(), timeout=10) as answer:
        return answer.read()


def wait_until(check, what, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    fail(f"{what} did not come up within {seconds} s")


def cpu_seconds(pid):
    """User plus system time of a whole process (all threads), from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def machine():
    model = "unknown CPU"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    openssl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
    openssl = openssl.split(" (")[0]
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "nginx": nginx.replace("nginx version: nginx/", ""),
        "openssl": openssl,
    }


RUNNING = []


class Server:
    """A process pinned to CPUs whose CPU time and memory the runs read."""

    def __init__(self, name, args, cpus, log):
        self.name = name
        self.log = open(log, "w")
        self.process = subprocess.Popen(["taskset", "-c", cpus] + args, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        RUNNING.append(self)

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        if self in RUNNING:
            RUNNING.remove(self)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def start_api(work):
    """The fake Kubernetes API server holding the corpus's ServiceAccounts, and a kubeconfig for
    it: the webhook then loads them as in a cluster, through LIST and WATCH."""
    port = free_port()
    api = Server("fake-kube-api", [str(BIN / "fake-kube-api"), "--cert", str(work / "tls" / "tls.crt"),
                                   "--key", str(work / "tls" / "tls.key"), "--port", str(port),
                                   "--token", "bench", "--manifests",
                                   str(work / "corpus" / "service-accounts.yaml")],
                 CLIENT_CPU, work / "fake-kube-api.log")
    wait_until(lambda: "listening" in (work / "fake-kube-api.log").read_text(), "fake-kube-api")
    (work / "kubeconfig").write_text(f"""apiVersion: v1
kind: Config
current-context: bench
clusters:
- name: fake
  cluster: {{server: "https://127.0.0.1:{port}", certificate-authority: "{work / 'tls' / 'tls.crt'}"}}
contexts:
- name: bench
  context: {{cluster: fake, user: bench}}
users:
- name: bench
  user: {{token: bench}}
""")
    return api


def start_webhook(work, port, metrics_port, threads, cpus):
    args = [str(BIN / "irsa-webhook"), "--in-cluster=false", "--bind-address=127.0.0.1",
            f"--port={port}", f"--metrics-port={metrics_port}",
            f"--tls-cert={work / 'tls' / 'tls.crt'}", f"--tls-key={work / 'tls' / 'tls.key'}",
            f"--kubeconfig={work / 'kubeconfig'}", f"--worker-threads={threads}"]
    server = Server("webhook", args, cpus, work / f"webhook-{threads}.log")
    wait_until(lambda: urllib.request.urlopen(f"https://127.0.0.1:{port}/readyz",
                                              context=insecure(), timeout=1).status == 200,
               "the webhook")
    return server


NGINX_CONF = """\
# The transport ceiling: one nginx process on the webhook's core and certificate, answering each
# POST with a static file holding the webhook's own response to that request.
worker_processes 1;
master_process off;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; use epoll; }}
http {{
    access_log off;
    server_tokens off;
    etag off;
    open_file_cache max=16 inactive=600s;
    open_file_cache_valid 3600s;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    client_max_body_size 8m;
    client_body_buffer_size 128k;
    client_body_temp_path {work}/nginx-tmp;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {work}/tls/tls.crt;
        ssl_certificate_key {work}/tls/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {work}/static;
        types {{ }}
        default_type application/json;
        # The static module refuses POST with 405; this turns it into the file, status 200,
        # after the request body has been read and discarded.
        location / {{ error_page 405 =200 $uri; }}
    }}
}}
"""


def start_nginx(work, port, cpus, probe):
    (work / "nginx-tmp").mkdir(exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work, port=port))
    server = Server("nginx", ["nginx", "-c", str(conf), "-p", str(work)], cpus, work / "nginx.log")
    expected = (work / "static" / "typical").read_bytes()
    wait_until(lambda: post(f"https://127.0.0.1:{port}/typical", probe.read_bytes()) == expected,
               "nginx")
    return server


def load(name, server, url, corpus, rate=None, threads=1, cpus=CLIENT_CPU, extra=()):
    """One irsa-loadgen run; returns its report with the server's CPU time and memory added."""
    report_file = RESULTS / f"{name}.json"
    args = ["taskset", "-c", cpus, str(BIN / "irsa-loadgen"), url, "--corpus", str(corpus),
            "-c", CONNECTIONS, "-t", str(threads), "-d", DURATION, "--warmup", WARMUP,
            "--json", str(report_file), "--quiet"] + list(extra)
    if rate:
        args += ["-r", str(rate)]
    cpu_before = cpu_seconds(server.pid)
    wall_before = time.monotonic()
    finished = subprocess.run(args, capture_output=True, text=True)
    wall = time.monotonic() - wall_before
    cpu_used = cpu_seconds(server.pid) - cpu_before
    if not report_file.exists():
        fail(f"{name}: irsa-loadgen wrote no report:\n{finished.stderr}")
    report = json.loads(report_file.read_text())
    report["name"] = name
    # Busy for more than 90% of the run, the generator's core and not the server set the pace.
    report["client_busy"] = round(report["client_cpu_s"] / wall, 3)
    report["client_bound"] = threads == 1 and report["client_busy"] > 0.9
    report["server_busy"] = round(cpu_used / wall, 3)
    report["server"] = {"name": server.name, "cpu_s": round(cpu_used, 3),
                        "cpu_us_per_request": round(1e6 * cpu_used / max(1, report["all_requests"]), 2),
                        **memory(server.pid)}
    report_file.write_text(json.dumps(report, indent=2) + "\n")
    latency = report["latency_us"]
    say(f"{name}: {report['throughput_rps']:,.0f} req/s, p50 {latency['p50']:.0f} us, "
        f"p99 {latency['p99']:.0f} us, p99.9 {latency['p99_9']:.0f} us, "
        f"{report['error_total']} errors, server {report['server']['cpu_us_per_request']} us CPU/request")
    if report["error_total"] or report["warmup_errors"]:
        say(f"{name}: errors {report['errors']}, {report['warmup_errors']} in warm-up")
    return report


SPEED_PROBE = """
import sys, time
seconds = float(sys.argv[1])
windows = [0] * (int(seconds * 100) + 1)
start = time.perf_counter()
while True:
    now = time.perf_counter() - start
    if now >= seconds:
        break
    x = 1
    for _ in range(200):  # one unit of fixed work, about 10 us
        x = (x * 1103515245 + 12345) & 0x7fffffff
    windows[int(now * 100)] += 1
windows = windows[:-1]
usual = sorted(windows)[len(windows) // 2]
slow = [count < usual / 2 for count in windows]
longest = run = 0
for is_slow in slow:
    run = run + 1 if is_slow else 0
    longest = max(longest, run)
print(len(windows), sum(slow), longest, min(windows) / usual)
"""


def machine_speed(cpu, seconds=5):
    """How steady the machine itself is: a fixed unit of work, run on `cpu` with nothing else
    there, counted per 10 ms window. On a shared host (a virtual CPU whose physical core or cache
    others use), some windows get far less done than the usual one; no server answers quickly
    inside them, and they are the floor under the p99 and p99.9 figures."""
    out = subprocess.run(["taskset", "-c", cpu, sys.executable, "-c", SPEED_PROBE, str(seconds)],
                         capture_output=True, text=True, check=True).stdout.split()
    windows, slow, longest, slowest = int(out[0]), int(out[1]), int(out[2]), float(out[3])
    return {"cpu": cpu, "seconds": seconds, "windows_10ms": windows,
            "windows_under_half_speed": slow, "share_under_half_speed": round(slow / windows, 4),
            "longest_slow_stretch_ms": 10 * longest, "slowest_window_speed": round(slowest, 2)}


def representative(work, port, size):
    """The first review of a size that the webhook mutates, and its response bytes."""
    folder = work / "corpus" / ("typical-exact" if size == "typical" else size)
    for review in sorted(folder.glob("*.json")):
        answer = post(f"https://127.0.0.1:{port}/mutate", review.read_bytes())
        if b'"patch"' in answer:
            return review, answer
    fail(f"no review in {folder} is mutated by the webhook")


def latency_cells(runs):
    cells = []
    for rate in RATES:
        run = runs.get(rate)
        if run is None:
            cells.append("")
            continue
        latency = run["latency_us"]
        if run["requests"]["good"] == 0:
            cells.append(f"overloaded ({run.get('behind', 0):,} never sent)")
            continue
        text = f"{latency['p50'] / 1000:.2f} / {latency['p99'] / 1000:.2f} / {latency['p99_9'] / 1000:.2f}"
        if run["throughput_rps"] < 0.98 * rate:
            text += f" (only {run['throughput_rps']:,.0f}/s)"
        cells.append(text)
    return cells


def cpu_closed(row):
    """CPU time per request with the server's core saturated (closed loop)."""
    return row["closed"]["server"]["cpu_us_per_request"]


def table(rows):
    header = ["Scenario", "Requests/s (closed loop)", "vs nginx", "Server CPU per request",
              "vs nginx (CPU)"]
    header += [f"ms p50 / p99 / p99.9 at {rate:,}/s" for rate in RATES]
    header += ["Server RSS"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        closed = row["closed"]
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else ""
        cpu_ratio = f"{row['cpu_ratio']:.2f}" if row.get("cpu_ratio") is not None else ""
        rate = f"{closed['throughput_rps']:,.0f}"
        if closed["client_bound"]:
            rate += " (client-bound)"
        cells = [row["label"], rate, ratio, f"{cpu_closed(row):.1f} µs", cpu_ratio]
        cells += latency_cells(row["open"])
        cells += [f"{closed['server']['VmRSS'] / 2**20:.1f} MiB"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_readme(text):
    if README == "-":
        return
    path = pathlib.Path(README)
    content = path.read_text()
    begin, end = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"
    if begin not in content or end not in content:
        say(f"{path} has no bench-table markers; not updated")
        return
    head, rest = content.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(head + begin + "\n" + text + "\n" + end + tail)
    say(f"table written into {path}")


def main():
    try:
        measure()
    finally:
        for server in list(RUNNING):
            server.stop()


def measure():
    for tool in ("irsa-webhook", "irsa-loadgen", "irsa-corpus", "fake-kube-api"):
        if not (BIN / tool).exists():
            fail(f"{BIN / tool} is missing; run make build")
    if shutil.which("nginx") is None:
        fail("nginx is missing; scripts/install-deps.sh installs nginx-light")
    if not TYPICAL.exists():
        fail(f"no typical review at {TYPICAL}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    speed = machine_speed(SERVER_CPU, PROBE_SECONDS)
    say(f"machine speed on CPU {SERVER_CPU}, nothing else running: "
        f"{100 * speed['share_under_half_speed']:.1f}% of 10 ms windows under half the usual "
        f"speed, longest such stretch {speed['longest_slow_stretch_ms']} ms, slowest window at "
        f"{100 * speed['slowest_window_speed']:.0f}%")
    with tempfile.TemporaryDirectory(prefix="irsa-bench-") as temp:
        work = pathlib.Path(temp)
        # The certificate in a folder of its own: the webhook watches the folders of its files,
        # and the logs written beside them would wake its watcher thousands of times a second.
        (work / "tls").mkdir()
        subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "1", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", "/CN=irsa-webhook",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(work / "tls" / "tls.key"),
                        "-out", str(work / "tls" / "tls.crt")], check=True, capture_output=True)
        subprocess.run([str(BIN / "irsa-corpus"), "--out", str(work / "corpus"), "--typical",
                        str(TYPICAL), "--accounts", ACCOUNTS], check=True)
        port, metrics_port, nginx_port = free_port(), free_port(), free_port()
        start_api(work)
        webhook = start_webhook(work, port, metrics_port, 1, SERVER_CPU)
        say(f"webhook pid {webhook.pid} on CPU {SERVER_CPU} with {ACCOUNTS} ServiceAccounts, "
            f"resident {memory(webhook.pid)['VmRSS'] / 2**20:.1f} MiB; load on CPU {CLIENT_CPU}")
        static = work / "static"
        static.mkdir()
        single = {}
        for size in SIZES:
            review, answer = representative(work, port, size)
            single[size] = review
            (static / size).write_bytes(answer)
        # Both servers stay up on the same core (the idle one costs nothing) and take turns run by
        # run, so that a change in the host's load between runs touches both alike.
        nginx = start_nginx(work, nginx_port, SERVER_CPU, single["typical"])
        rows = {}
        try:
            for size in SIZES:
                ours, theirs = f"https://127.0.0.1:{port}/mutate", f"https://127.0.0.1:{nginx_port}/{size}"
                ours_row = {"label": f"webhook, {size} ({single[size].stat().st_size:,} B)", "open": {}}
                theirs_row = {"label": f"nginx static file, {size} (ceiling)", "open": {}}
                ours_row["closed"] = load(f"webhook-{size}-closed", webhook, ours, single[size])
                theirs_row["closed"] = load(f"nginx-{size}-closed", nginx, theirs, single[size])
                for rate in RATES:
                    ours_row["open"][rate] = load(f"webhook-{size}-{rate}", webhook, ours,
                                                  single[size], rate)
                    theirs_row["open"][rate] = load(f"nginx-{size}-{rate}", nginx, theirs,
                                                    single[size], rate)
                rows[size], rows[f"nginx-{size}"] = ours_row, theirs_row
            mixed_url = f"https://127.0.0.1:{port}/mutate"
            mixed = work / "corpus" / "mixed"
            rows["mixed"] = {"label": "webhook, mixed corpus (weighted)",
                             "closed": load("webhook-mixed-closed", webhook, mixed_url, mixed,
                                            extra=["--order", "weighted"]),
                             "open": {r: load(f"webhook-mixed-{r}", webhook, mixed_url, mixed, r,
                                              extra=["--order", "weighted"]) for r in RATES}}
        finally:
            webhook.stop()
            nginx.stop()

        # Scaling with both cores: 1 and then 2 worker threads, each time with the load (two
        # threads of it) on the same two cores, so that both runs pay the same for sharing them.
        # What is compared is the server's CPU time per request: 2 threads scale to two free
        # cores as far as that cost stays what one thread pays.
        both = f"{SERVER_CPU},{CLIENT_CPU}"
        shared = {}
        for threads in (1, 2):
            server = start_webhook(work, port, metrics_port, threads, both)
            try:
                shared[threads] = load(f"webhook-typical-{threads}-threads-shared-cores", server,
                                       f"https://127.0.0.1:{port}/mutate", single["typical"],
                                       threads=2, cpus=both)
            finally:
                server.stop()
        two = shared[2]

    for size in SIZES:
        ceiling = rows[f"nginx-{size}"]["closed"]["throughput_rps"]
        rows[size]["ratio"] = rows[size]["closed"]["throughput_rps"] / ceiling if ceiling else None
        ours, theirs = cpu_closed(rows[size]), cpu_closed(rows[f"nginx-{size}"])
        rows[size]["cpu_ratio"] = theirs / ours if ours and theirs else None
    one, two_cpu = shared[1]["server"]["cpu_us_per_request"], two["server"]["cpu_us_per_request"]
    scaling = {
        "one_thread_rps_shared_cores": shared[1]["throughput_rps"],
        "two_threads_rps_shared_cores": two["throughput_rps"],
        "one_thread_cpu_us_per_request": one,
        "two_threads_cpu_us_per_request": two_cpu,
        # Two cores' worth of work at two threads' CPU cost per request, against one core's.
        "projected_two_core_speedup": round(2 * one / two_cpu, 2),
    }
    order = ["nginx-typical", "typical", "nginx-tiny", "tiny", "nginx-large", "large", "mixed"]
    text = table([rows[key] for key in order])
    info = machine()
    stamp = started.strftime("%Y-%m-%d %H:%M UTC")
    header = (f"Measured {stamp} by `make bench` on {info['cpu']} ({info['cores']} cores, Linux "
              f"{info['kernel']}, {info['openssl']}, nginx {info['nginx']}): webhook with 1 worker "
              f"thread on one core and {ACCOUNTS} ServiceAccounts loaded, irsa-loadgen on the other, "
              f"{CONNECTIONS} keep-alive TLS connections, {DURATION} per run after {WARMUP} warm-up.")
    footer = (f"Scaling, with the load sharing both cores: one worker thread "
              f"{scaling['one_thread_rps_shared_cores']:,.0f} req/s at "
              f"{scaling['one_thread_cpu_us_per_request']} µs CPU per request, two threads "
              f"{scaling['two_threads_rps_shared_cores']:,.0f} req/s at "
              f"{scaling['two_threads_cpu_us_per_request']} µs, so two free cores would give "
              f"{scaling['projected_two_core_speedup']}× one. The machine itself: a fixed amount of "
              f"work, run alone on the server's core for {speed['seconds']} s before the runs, got "
              f"less than half its usual speed in "
              f"{100 * speed['share_under_half_speed']:.1f}% of 10 ms windows (longest stretch "
              f"{speed['longest_slow_stretch_ms']} ms, slowest window "
              f"{100 * speed['slowest_window_speed']:.0f}%); requests that arrive inside those "
              f"windows make the p99 and p99.9 figures (docs/performance.md).")
    summary = {"date": started.isoformat(), "machine": info, "duration": DURATION, "warmup": WARMUP,
               "connections": int(CONNECTIONS), "accounts": int(ACCOUNTS), "rates": RATES,
               "rows": {key: {"label": row["label"], "closed_rps": row["closed"]["throughput_rps"],
                              "ratio_to_nginx": row.get("ratio"),
                              "cpu_ratio_to_nginx": row.get("cpu_ratio"),
                              "server_rss_bytes": row["closed"]["server"]["VmRSS"],
                              "server_cpu_us_per_request": cpu_closed(row),
                              "server_busy": row["closed"]["server_busy"],
                              "open_loop_us": {str(rate): {k: run["latency_us"][k]
                                                           for k in ("p50", "p99", "p99_9")}
                                               for rate, run in row["open"].items()}}
                        for key, row in rows.items()},
               "two_threads": scaling, "machine_speed": speed}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(header + "\n\n" + text + "\n\n" + footer)
    update_readme(header + "\n\n" + text + "\n\n" + footer)
    errors = sum(run["error_total"] + run["warmup_errors"] for row in rows.values()
                 for run in [row["closed"], *row["open"].values()])
    errors += sum(run["error_total"] + run["warmup_errors"] for run in shared.values())
    if errors:
        fail(f"{errors} requests failed; the figures above are not to be trusted")
    idle = [key for key, row in rows.items() if row["closed"]["requests"]["good"] == 0]
    if idle:
        fail(f"no request was answered in the closed-loop runs of {', '.join(idle)}")


if __name__ == "__main__":
    main()
