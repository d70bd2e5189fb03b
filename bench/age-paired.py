"""relay-ctrl-age deleting 50,000 of 100,000 grants, paired: each round builds two identical
stores (outside the timing), runs ours and the other (C relay-ctrl-age, or nothing) on them in
alternating order, and takes the ratio of CPU time (user + system from wait4) and of wall time.
Also checks that each left exactly the 50,000 fresh grants.
Usage: age-paired.py OURS [OTHER] [ROUNDS]"""
import os
import shutil
import statistics
import sys
import tempfile
import time

ours = sys.argv[1]
other = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5


def make_store(path):
    os.mkdir(path)
    old = time.time() - 3600
    for i in range(100_000):
        name = os.path.join(path, "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))
        with open(name, "wb") as f:
            f.write(b"USER=u%d\0" % i)
        if i % 2:
            os.utime(name, (old, old))


def run(binary, store):
    env = {"RELAY_CTRL_DIR": store, "PATH": "/usr/bin:/bin"}
    start = time.monotonic()
    pid = os.posix_spawn(binary, [binary], env)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} failed")
    left = len(os.listdir(store))
    if left != 50_000:
        sys.exit(f"{binary} left {left} grants, not 50000")
    return usage.ru_utime + usage.ru_stime, wall


work = tempfile.mkdtemp()
try:
    cpu_ratios, wall_ratios, samples = [], [], []
    for index in range(rounds):
        stores = [os.path.join(work, f"a{index}"), os.path.join(work, f"b{index}")]
        for store in stores:
            make_store(store)
        os.sync()
        if other:
            order = [(ours, stores[0]), (other, stores[1])]
            if index % 2:
                order.reverse()
            results = {binary: run(binary, store) for binary, store in order}
            a, b = results[ours], results[other]
            cpu_ratios.append(a[0] / b[0])
            wall_ratios.append(a[1] / b[1])
            samples.append(a)
        else:
            samples.append(run(ours, stores[0]))
        for store in stores:
            shutil.rmtree(store)
    cpu = statistics.median(s[0] for s in samples)
    wall = statistics.median(s[1] for s in samples)
    # No peak RSS here: wait4 would count this Python process's memory in the child's.
    print(f"ours: median cpu {cpu:.3f} s, wall {wall:.3f} s over {rounds} rounds")
    if other:
        print(f"ours/C per-round ratios: cpu min {min(cpu_ratios):.3f} median {statistics.median(cpu_ratios):.3f} "
              f"max {max(cpu_ratios):.3f}; wall median {statistics.median(wall_ratios):.3f}")
finally:
    shutil.rmtree(work)
