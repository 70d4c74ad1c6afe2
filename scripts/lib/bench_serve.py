"""Measures `latchkey serve` (SPEC §8) with wrk on this machine and prints Markdown tables.

Run through scripts/bench-serve (it installs wrk and nginx and builds the release binaries).
Usage: bench_serve.py RELEASE_DIR [--seconds N] [--rounds N] [--connections N] [--tokens N]
                      [--big-tokens N] [--parts 1,2,3] [--cli PATH]

--cli runs another `latchkey` build as the service (to compare two builds on the same day).

1. Valid verifications over HTTP/1.1 keep-alive against nginx answering `return 204`, the same
   wrk command and the same request bytes, alternating rounds (the host's drift cancels out of
   each round's ratio).
2. A flood of unknown tokens (one wrk as fast as it goes) while a second wrk sends valid tokens
   at a modest rate: that client's latency alone and during the flood, the flood's answers, and
   the store's growth (db + wal bytes after a TRUNCATE checkpoint, before and after).
3. Verifications in-process (tests/examples/serve_bench.rs) with 100 000 and 1 000 000 tokens.
"""
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def option(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


RELEASE = sys.argv[1]
SECONDS = option("--seconds", 10)
ROUNDS = option("--rounds", 3)
CONNECTIONS = option("--connections", 32)
TOKENS = option("--tokens", 100_000)
BIG_TOKENS = option("--big-tokens", 1_000_000)
PARTS = set(option("--parts", "1,2,3").split(","))
CLI = option("--cli", os.path.join(RELEASE, "latchkey"))
EXAMPLE = os.path.join(RELEASE, "examples", "serve_bench")
PASSWORD = "benchmark password that is long"
SYSTEM = "web"
# The valid client during the flood: this many connections, each waiting this long (ms)
# between an answer and its next request.
VALID_CONNECTIONS = 8
VALID_DELAY_MS = 4
FLOOD_CONNECTIONS = 32
# Addresses the second flood spreads over with X-Forwarded-For (each stays under its limit).
FLOOD_ADDRESSES = 5_000

# Each wrk run ends with one line: requests, microseconds, non-2xx answers, socket errors,
# p50, p99 and mean latency (µs).
DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f\\n", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""

VALID_LUA = """
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
""" + DONE

PACED_LUA = VALID_LUA + f"""
function delay() return {VALID_DELAY_MS} end
"""

# Unknown tokens from a file (well-formed, never issued), each request the next one; with
# BENCH_ADDRESSES > 0 each also from the next of that many X-Forwarded-For addresses.
FLOOD_LUA = """
local requests, i = {}, 0
function init(args)
  local tokens = {}
  for line in io.lines(os.getenv("BENCH_UNKNOWN")) do tokens[#tokens + 1] = line end
  local addresses = tonumber(os.getenv("BENCH_ADDRESSES"))
  local n = math.max(#tokens, addresses)
  for k = 1, n do
    local headers = { ["Authorization"] = "Bearer " .. tokens[(k - 1) % #tokens + 1] }
    if addresses > 0 then
      local a = k - 1
      headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(a / 65536) % 256, math.floor(a / 256) % 256, a % 256)
    end
    requests[k] = wrk.format(nil, nil, headers)
  end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
""" + DONE


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store(folder):
    env = dict(os.environ, LATCHKEY_DB=os.path.join(folder, "store.db"),
               LATCHKEY_KEY_FILE=os.path.join(folder, "key"), LATCHKEY_USER="root",
               LATCHKEY_PASSWORD=PASSWORD, HOME=folder, XDG_CONFIG_HOME=os.path.join(folder, "config"))
    env.pop("LATCHKEY_LOG", None)
    subprocess.run([CLI, "init", "--org", "Bench", "--admin", "root"], env=env, check=True,
                   capture_output=True)
    subprocess.run([CLI, "systems", "onboard", SYSTEM], env=env, check=True, capture_output=True)
    return env


def seed_and_measure(env, folder, tokens, seconds):
    """Seeds `tokens` tokens and times verifications in-process: the example's name=value lines."""
    out = subprocess.run([EXAMPLE, env["LATCHKEY_DB"], env["LATCHKEY_KEY_FILE"], "root", str(tokens),
                          SYSTEM, str(seconds), os.path.join(folder, "unknown")],
                         env=env, check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


class Service:
    def __init__(self, env):
        self.process = subprocess.Popen(
            [CLI, "serve", "--listen", "127.0.0.1:0", "--trust-proxy", "127.0.0.1"],
            env=env, stderr=subprocess.PIPE, text=True)
        for line in self.process.stderr:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise RuntimeError("latchkey serve exited before listening")
        # Keep reading its log so it never blocks on a full pipe.
        threading.Thread(target=self.process.stderr.read, daemon=True).start()

    def metrics(self):
        """latchkey_verifications_total by outcome."""
        out = subprocess.run(["curl", "-sf", self.url + "/metrics"], capture_output=True, text=True,
                             check=True).stdout
        counts = {}
        for name, value in re.findall(r'latchkey_verifications_total\{outcome="(\w+)"\} (\d+)', out):
            counts[name] = int(value)
        return counts

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)


class Nginx:
    """nginx on a loopback port with its own prefix and configuration, answering 204."""

    def __init__(self, folder, workers):
        self.prefix = os.path.join(folder, "nginx")
        os.makedirs(os.path.join(self.prefix, "logs"), exist_ok=True)
        self.port = free_port()
        config = os.path.join(self.prefix, "nginx.conf")
        with open(config, "w") as f:
            f.write(f"""daemon off;
worker_processes {workers};
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {self.prefix}/client_body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{self.port};
        location / {{ return 204; }}
    }}
}}
""")
        self.process = subprocess.Popen(["nginx", "-p", self.prefix, "-c", config, "-e",
                                         os.path.join(self.prefix, "logs", "error.log")])
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            if subprocess.run(["curl", "-s", "-o", "/dev/null", self.url], check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=10)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User + system CPU of these processes and their children (nginx's workers), in seconds."""
    pids = set(pids)
    for path in os.listdir("/proc"):
        if path.isdigit():
            try:
                with open(f"/proc/{path}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) in pids:
                        pids.add(int(path))
            except OSError:
                pass
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / TICKS


class Wrk:
    """One wrk run; `result()` waits for it and reads its RESULT line, with the CPU the
    measured server (`server_pid`) and wrk itself used meanwhile, per request."""

    def __init__(self, url, lua, threads, connections, seconds, env, server_pid=None):
        self.server_pid = server_pid
        self.server_cpu = cpu_seconds([server_pid]) if server_pid else 0
        self.process = subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                                         "--latency", "-s", lua, url], env=env, stdout=subprocess.PIPE,
                                        text=True)

    def result(self):
        wrk_cpu = 0
        try:  # wrk's own CPU, read just before it exits
            while self.process.poll() is None:
                wrk_cpu = cpu_seconds([self.process.pid])
                time.sleep(0.2)
        finally:
            out, _ = self.process.communicate()
        server_cpu = cpu_seconds([self.server_pid]) - self.server_cpu if self.server_pid else 0
        line = next(line for line in out.splitlines() if line.startswith("RESULT"))
        requests, micros, status, errors, p50, p99, mean = line.split()[1:]
        requests = int(requests)
        return dict(requests=requests, rate=requests / (int(micros) / 1e6), non2xx=int(status),
                    errors=int(errors), p50=float(p50) / 1000, p99=float(p99) / 1000,
                    mean=float(mean) / 1000, server_us=server_cpu * 1e6 / max(requests, 1),
                    wrk_us=wrk_cpu * 1e6 / max(requests, 1))


def wrk(url, lua, threads, connections, seconds, env, server_pid=None):
    return Wrk(url, lua, threads, connections, seconds, env, server_pid)


def result(run):
    return run.result()


def store_bytes(db):
    """The store's size after folding the WAL into it: (db + wal bytes, audit rows)."""
    with sqlite3.connect(db, timeout=10) as conn:
        for _ in range(50):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                break
            time.sleep(0.1)
        rows = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    conn.close()
    size = sum(os.path.getsize(db + suffix) for suffix in ("", "-wal") if os.path.exists(db + suffix))
    return size, rows


def main():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" Copyright")[0]
    cores = os.cpu_count()
    print(f"date {time.strftime('%Y-%m-%d %H:%M %Z')}, nproc {cores}, {cpu}, {nginx_version}, {wrk_version}, "
          f"load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    rounds, alone, floods, big = [], None, [], None
    with tempfile.TemporaryDirectory() as folder:
        lua = {}
        for name, text in [("valid", VALID_LUA), ("paced", PACED_LUA), ("flood", FLOOD_LUA)]:
            lua[name] = os.path.join(folder, f"{name}.lua")
            with open(lua[name], "w") as f:
                f.write(text)

        env = store(folder)
        seeded = seed_and_measure(env, folder, TOKENS, 3)
        print(f"seeded {TOKENS} tokens in {seeded['seed_seconds']} s", flush=True)
        wrk_env = dict(os.environ, BENCH_TOKEN=seeded["token"], BENCH_UNKNOWN=os.path.join(folder, "unknown"))

        service = Service(env)
        nginx = Nginx(folder, cores)
        ours_pid, nginx_pid = service.process.pid, nginx.process.pid
        verify_url = f"{service.url}/v1/verify?system={SYSTEM}"
        nginx_url = f"{nginx.url}/v1/verify?system={SYSTEM}"
        try:
            if "1" in PARTS:
                # Keep-alive throughput, alternating service and nginx; a short warm-up first.
                for url in (verify_url, nginx_url):
                    result(wrk(url, lua["valid"], 2, CONNECTIONS, 2, wrk_env))
                for _ in range(ROUNDS):
                    ours = result(wrk(verify_url, lua["valid"], 2, CONNECTIONS, SECONDS, wrk_env, ours_pid))
                    theirs = result(wrk(nginx_url, lua["valid"], 2, CONNECTIONS, SECONDS, wrk_env, nginx_pid))
                    assert ours["non2xx"] == 0 and ours["errors"] == 0, ours
                    assert theirs["non2xx"] == 0 and theirs["errors"] == 0, theirs
                    rounds.append((ours, theirs))
                    print(f"round: service {ours['rate']:.0f}/s p99 {ours['p99']:.2f} ms "
                          f"{ours['server_us']:.1f} µs CPU/request (wrk {ours['wrk_us']:.1f}); "
                          f"nginx {theirs['rate']:.0f}/s p99 {theirs['p99']:.2f} ms "
                          f"{theirs['server_us']:.1f} µs CPU/request (wrk {theirs['wrk_us']:.1f}); "
                          f"load {os.getloadavg()[0]:.2f}", flush=True)

            if "2" in PARTS:
                # The valid client alone, then during two floods.
                alone = result(wrk(verify_url, lua["paced"], 1, VALID_CONNECTIONS, SECONDS, wrk_env))
                for name, addresses in [("one address (429 after its burst)", 0),
                                        (f"{FLOOD_ADDRESSES:,} addresses by X-Forwarded-For (each under its limit)",
                                         FLOOD_ADDRESSES)]:
                    time.sleep(2)  # flood control forgets the last run's clients
                    before_size, before_rows = store_bytes(env["LATCHKEY_DB"])
                    before_metrics = service.metrics()
                    flood_env = dict(wrk_env, BENCH_ADDRESSES=str(addresses))
                    flood = wrk(verify_url, lua["flood"], 1, FLOOD_CONNECTIONS, SECONDS, flood_env, ours_pid)
                    valid = wrk(verify_url, lua["paced"], 1, VALID_CONNECTIONS, SECONDS, wrk_env)
                    flood, valid = result(flood), result(valid)
                    time.sleep(1.5)  # the last batch (100 ms) and per-second aggregate are written
                    after_size, after_rows = store_bytes(env["LATCHKEY_DB"])
                    after_metrics = service.metrics()
                    answers = {k: after_metrics.get(k, 0) - before_metrics.get(k, 0) for k in after_metrics}
                    assert valid["non2xx"] == 0 and valid["errors"] == 0, valid
                    floods.append((name, flood, valid, answers, after_size - before_size, after_rows - before_rows))
                    print(f"flood {name}: {flood['rate']:.0f}/s, valid p99 {valid['p99']:.2f} ms, "
                          f"store +{after_size - before_size} bytes, +{after_rows - before_rows} audit rows, "
                          f"answers {answers}", flush=True)
        finally:
            service.stop()
            nginx.stop()

        if "3" in PARTS:
            os.makedirs(os.path.join(folder, "big"))
            big_env = store(os.path.join(folder, "big"))
            big = seed_and_measure(big_env, os.path.join(folder, "big"), BIG_TOKENS, 3)
            big["bytes"] = store_bytes(big_env["LATCHKEY_DB"])[0]
            print(f"seeded {BIG_TOKENS} tokens in {big['seed_seconds']} s, store {big['bytes'] / 2**20:.0f} MiB",
                  flush=True)
            # The same keep-alive run on this store, the service alone.
            big_service = Service(big_env)
            try:
                big_url = f"{big_service.url}/v1/verify?system={SYSTEM}"
                big_wrk_env = dict(wrk_env, BENCH_TOKEN=big["token"])
                result(wrk(big_url, lua["valid"], 2, CONNECTIONS, 2, big_wrk_env))
                big["http"] = result(wrk(big_url, lua["valid"], 2, CONNECTIONS, SECONDS, big_wrk_env,
                                         big_service.process.pid))
                assert big["http"]["non2xx"] == 0 and big["http"]["errors"] == 0, big["http"]
            finally:
                big_service.stop()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    report(seeded, rounds, alone, floods, big, cores)


def report(seeded, rounds, alone, floods, big, cores):
    median = statistics.median
    print()
    if rounds:
        ours = [o for o, _ in rounds]
        theirs = [t for _, t in rounds]
        ours_rates = ", ".join(f"{o['rate']:,.0f}" for o in ours)
        nginx_rates = ", ".join(f"{t['rate']:,.0f}" for t in theirs)
        print(f"| {CONNECTIONS} keep-alive connections, wrk -t2, {SECONDS} s runs, median of {len(rounds)} "
              "alternating rounds | requests/s | p99 | server CPU per request | target |")
        print("| --- | --- | --- | --- | --- |")
        print(f"| `latchkey serve`, valid token, `GET /v1/verify?system={SYSTEM}` | {median(o['rate'] for o in ours):,.0f} "
              f"({ours_rates}) | "
              f"{median(o['p99'] for o in ours):.2f} ms | {median(o['server_us'] for o in ours):.1f} µs | "
              "≥ 20 000/s, p99 < 5 ms |")
        print(f"| nginx `return 204`, worker_processes {cores}, the same requests | {median(t['rate'] for t in theirs):,.0f} "
              f"({nginx_rates}) | "
              f"{median(t['p99'] for t in theirs):.2f} ms | {median(t['server_us'] for t in theirs):.1f} µs | — |")
        print(f"| ratio service / nginx (median of the rounds' ratios) | "
              f"{median(o['rate'] / t['rate'] for o, t in rounds):.2f} | | "
              f"{median(t['server_us'] / o['server_us'] for o, t in rounds):.2f} (nginx's CPU / ours) | ≥ 0.5 |")
        if big:
            http = big["http"]
            print(f"| `latchkey serve` with {BIG_TOKENS:,} tokens stored (one run, no nginx) | {http['rate']:,.0f} | "
                  f"{http['p99']:.2f} ms | {http['server_us']:.1f} µs | — |")
        print()
    if floods:
        print(f"| flood: wrk -t1, {FLOOD_CONNECTIONS} connections, {SECONDS} s, unknown tokens; valid client: "
              f"{VALID_CONNECTIONS} connections, {VALID_DELAY_MS} ms between requests | flood answered | "
              "valid client p99 | store growth | target |")
        print("| --- | --- | --- | --- | --- |")
        print(f"| no flood (the valid client alone) | — | {alone['p99']:.2f} ms ({alone['rate']:,.0f}/s) | — | — |")
        for name, flood, valid, answers, grown, rows in floods:
            told = ", ".join(f"{v:,} {k}" for k, v in sorted(answers.items()) if v and k != "valid")
            print(f"| {name} | {flood['rate']:,.0f}/s ({told}) | {valid['p99']:.2f} ms ({valid['rate']:,.0f}/s) | "
                  f"{grown / SECONDS / 1024:.1f} KiB/s ({grown:,} bytes, {rows} audit rows in {SECONDS} s) | "
                  "p99 < 10 ms, a few KiB/s |")
        print()
    print("| in-process, per verification (median of ten 0.3 s slices) | valid, for a system | valid, no system "
          "| unknown | seeding (one transaction) |")
    print("| --- | --- | --- | --- | --- |")
    for count, figures in [(TOKENS, seeded), (BIG_TOKENS, big)]:
        if figures:
            store = f" (store {figures['bytes'] / 2**20:.0f} MiB)" if "bytes" in figures else ""
            print(f"| {count:,} tokens stored | {float(figures['valid_us']):.1f} µs "
                  f"({1e6 / float(figures['valid_us']):,.0f}/s) | {float(figures['valid_anywhere_us']):.1f} µs | "
                  f"{float(figures['unknown_us']):.1f} µs | {figures['seed_seconds']} s{store} |")


if __name__ == "__main__":
    main()
