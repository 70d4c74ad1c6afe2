"""Measures Latchkey's whole-process figures and prints one Markdown table.

Run through scripts/bench (it builds release binaries and starts Xvfb and a D-Bus session).
Usage: bench.py RELEASE_DIR [--idle-seconds N]
"""
import glob
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

RELEASE = sys.argv[1]
IDLE_SECONDS = int(sys.argv[sys.argv.index("--idle-seconds") + 1]) if "--idle-seconds" in sys.argv else 60
PASSWORD = "benchmark password that is long"
CLI = os.path.join(RELEASE, "latchkey")
APP = os.path.join(RELEASE, "latchkey-app")
SEED = os.path.join(RELEASE, "examples", "seed_tokens")
TICKS = os.sysconf("SC_CLK_TCK")


def store(folder):
    env = dict(os.environ, LATCHKEY_DB=os.path.join(folder, "store.db"),
               LATCHKEY_KEY_FILE=os.path.join(folder, "key"), LATCHKEY_USER="root",
               LATCHKEY_PASSWORD=PASSWORD, HOME=folder, XDG_CONFIG_HOME=os.path.join(folder, "config"))
    subprocess.run([CLI, "init", "--org", "Bench", "--admin", "root"], env=env, check=True,
                   capture_output=True)
    return env


def timed_runs(args, env, runs, stdin=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, input=stdin, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def descendants(pid):
    """The process and all its children (WebKit's web and network processes)."""
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for path in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(path) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            child = int(path.split("/")[2])
            if int(fields[1]) == parent and child not in found:
                found.append(child)
                frontier.append(child)
    return found


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total


def memory_kib(pids, field):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def start_app(env):
    """Starts the app and waits for its 'interactive' line; returns (process, ms to it)."""
    env = dict(env, LATCHKEY_LOG="debug")
    start = time.perf_counter()
    app = subprocess.Popen([APP], env=env, stderr=subprocess.PIPE, text=True)
    for line in app.stderr:
        if "interactive: first call answered" in line:
            return app, (time.perf_counter() - start) * 1000
    raise RuntimeError("the app exited before its first call")


def stop(app):
    for pid in reversed(descendants(app.pid)):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    app.wait(timeout=10)


def main():
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        env = store(folder)
        token = subprocess.run([CLI, "tokens", "create", "--name", "bench"], env=env, check=True,
                               capture_output=True, text=True).stdout.strip()
        verify = timed_runs([CLI, "verify"], env, 200, stdin=token.encode())
        rows.append(("`latchkey verify` process, key file (200 runs)",
                     f"median {statistics.median(verify):.1f} ms, p90 {pct(verify, 90):.1f} ms", "< 10 ms"))
        subprocess.run([SEED, env["LATCHKEY_DB"], env["LATCHKEY_KEY_FILE"], "root", "9999"], env=env,
                       check=True)
        listing = timed_runs([CLI, "--json", "tokens", "list"], env, 20)
        rows.append(("`latchkey tokens list --json`, 10 000 tokens (20 runs)",
                     f"median {statistics.median(listing):.1f} ms", "(core: < 20 ms)"))

    with tempfile.TemporaryDirectory() as folder:
        env = store(folder)
        starts = []
        for _ in range(5):
            app, ms = start_app(env)
            starts.append(ms)
            stop(app)
        rows.append(("app cold start to interactive, Xvfb (median of 5)",
                     f"{statistics.median(starts):.0f} ms (all: {', '.join(f'{s:.0f}' for s in starts)})", "< 1 s"))
        app, _ = start_app(env)
        time.sleep(5)
        pids = descendants(app.pid)
        before = cpu_ticks(pids)
        time.sleep(IDLE_SECONDS)
        pids = descendants(app.pid)
        used = (cpu_ticks(pids) - before) / TICKS
        rows.append((f"app idle CPU over {IDLE_SECONDS} s (all {len(pids)} processes)",
                     f"{used / IDLE_SECONDS * 100:.2f} % of one core", "< 1 %"))
        rows.append(("app memory, all processes (PSS / RSS)",
                     f"{memory_kib(pids, 'Pss') / 1024:.0f} MiB / {memory_kib(pids, 'Rss') / 1024:.0f} MiB", "—"))
        stop(app)

    for name, path in [("release binary `latchkey-app`", APP), ("release binary `latchkey`", CLI)]:
        rows.append((name, f"{os.path.getsize(path) / 2**20:.2f} MiB", "—"))
    for deb in glob.glob(os.path.join(RELEASE, "bundle", "deb", "*.deb")):
        rows.append((f"installer `{os.path.basename(deb)}`", f"{os.path.getsize(deb) / 2**20:.2f} MiB", "< 15 MB"))

    print("| figure | measured | target |")
    print("| --- | --- | --- |")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
