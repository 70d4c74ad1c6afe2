"""`scripts/bench-scan`: makes the tree (once) and times `latchkey scan` and `rg` over it."""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number, width):
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def token(rng):
    body = base62(int.from_bytes(rng.randbytes(32), "big"), 43)
    return "lk_" + body + base62(zlib.crc32(body.encode()), 6)


def block(rng, kind):
    """About 64 KiB of one kind of text."""
    lines = []
    size = 0
    while size < 64 * 1024:
        n = rng.randrange(10**6)
        if kind == 0:
            line = (f"2026-11-{n % 28 + 1:02d}T12:{n % 60:02d}:00Z INFO request id={n:x} "
                    f"path=/api/v1/items/{n} status=200 took={n % 977}ms user=u{n % 311}")
        elif kind == 1:
            line = (f'{{"id": {n}, "name": "item {n}", "tags": ["a", "b"], '
                    f'"url": "https://example.com/x?q={n}&lk_=1", "ok": true}}')
        elif kind == 2:
            line = f"  key_{n % 97}: value {n} # lk_ is our prefix, not a token\n  list: [{n}]"
        elif kind == 3:
            line = f"fn handler_{n}(request: &Request) -> Result<Response> {{ let x = {n}; }}"
        else:
            line = rng.randbytes(57).hex()[:76]
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def make_tree(root, size_mib):
    marker = os.path.join(root, f".complete-{size_mib}")
    if os.path.exists(marker):
        return
    rng = random.Random(14)
    blocks = [block(rng, kind) for kind in range(5) for _ in range(4)]
    files = size_mib  # 1 MiB each
    planted = 0
    for i in range(files):
        folder = os.path.join(root, f"d{i % 32:02d}", f"e{i % 7}")
        os.makedirs(folder, exist_ok=True)
        parts = [blocks[rng.randrange(len(blocks))] for _ in range(16)]
        if i % 8 == 0:
            parts[rng.randrange(16)] += f"TOKEN={token(rng)}\n"
            planted += 1
        with open(os.path.join(folder, f"f{i:05d}.txt"), "w") as out:
            out.write("".join(parts))
    with open(marker, "w") as out:
        out.write(str(planted))


def run(command):
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cli")
    args = parser.parse_args()
    cli = args.cli or os.path.join(args.target, "release", "latchkey")
    root = os.path.join(args.target, "bench-scan-tree")
    os.makedirs(root, exist_ok=True)
    make_tree(root, args.size_mib)
    data = os.path.join(root)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data) for f in fs
                if not f.startswith("."))
    env = dict(os.environ, LATCHKEY_DB=os.path.join(args.target, "bench-scan-no-store.db"))
    os.environ.update(env)
    commands = {
        "latchkey scan": [cli, "scan", data],
        "rg lk_[0-9A-Za-z]{49}": ["rg", "--no-ignore", "-c", "lk_[0-9A-Za-z]{49}", data],
        "rg -j1 (one thread)": ["rg", "--no-ignore", "-j1", "-c", "lk_[0-9A-Za-z]{49}", data],
    }
    for command in commands.values():  # warm the page cache
        run(command)
    timings = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            elapsed, code = run(command)
            if name == "latchkey scan" and code != 1:
                sys.exit(f"latchkey scan exited {code}; expected 1 (tokens planted)")
            timings[name].append(elapsed)
    mib = total / (1 << 20)
    print(f"tree: {mib:.0f} MiB in {sum(1 for _ in os.walk(data))} folders; "
          f"{args.rounds} rounds, median")
    print(f"{'command':28} {'seconds':>8} {'MiB/s':>8}")
    rates = {}
    for name, values in timings.items():
        median = statistics.median(values)
        rates[name] = mib / median
        print(f"{name:28} {median:8.3f} {rates[name]:8.0f}")
    ratio = rates["latchkey scan"] / rates["rg lk_[0-9A-Za-z]{49}"]
    print(f"latchkey scan / ripgrep: {ratio:.2f} (goal: at least 0.5)")


main()
