#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Times how long a tracer takes to print N distinct user stacks when it is stopped.

Usage: bench_stacks_run.py TRACER WORKLOAD [N] [LIMIT_S]

Runs `TRACER -e 'uprobe:WORKLOAD:stackLeaf { @[ustack] = count(); }'`, waits until it
has attached, runs `WORKLOAD N --linger` (tests/testprogs/bench_stacks.c: N distinct
stacks reach stackLeaf), and once the workload has printed "done", sends the tracer
SIGINT and times it from the signal to its exit, which is when every stack has been
symbolised and printed.  The workload stays alive meanwhile, so its symbols can be
read through /proc.  Prints:

  stacks printed: P
  distinct stacks: D
  symbolised stacks: S          (those whose first frame names stackLeaf)
  exit after SIGINT: T s
  within LIMIT_S s: yes|no
  tracer exit status: RC

and exits 0 only when D and S are N, T is within LIMIT_S (default 2) and RC is 0.
"""
import os
import re
import select
import signal
import subprocess
import sys
import time

TOKEN = b"__BPFTRACE_NOTIFY_PROBES_ATTACHED"


def read_until(fd, buf, done, deadline):
    """Appends what fd yields to buf until done(buf), EOF or the deadline; False on timeout."""
    while not done(buf):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return True
            buf += chunk
    return True


def stacks(text):
    """The key of every printed map entry `@[\\n frames\\n]: count`."""
    return re.findall(r"^@\[\n(.*?)\n\]: \d+$", text, re.M | re.S)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tracer, workload = sys.argv[1], os.path.abspath(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    keys = str(max(2 * n, 4096))
    env = dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1",
               BPFTRACE_MAX_MAP_KEYS=keys,   # ctrace and newer bpftrace
               BPFTRACE_MAP_KEYS_MAX=keys)   # bpftrace 0.17
    prog = "uprobe:%s:stackLeaf { @[ustack] = count(); }" % workload
    # bpftrace 0.17 prints the attach token on stderr, ctrace on stdout
    t = subprocess.Popen([tracer, "-e", prog], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
    w = None
    out = bytearray()
    try:
        if not read_until(t.stdout.fileno(), out, lambda b: TOKEN in b,
                          time.monotonic() + 60) or TOKEN not in out:
            sys.exit("the tracer did not attach: %s" % out.decode(errors="replace"))
        w = subprocess.Popen([workload, str(n), "--linger"], stdout=subprocess.PIPE)
        wout = bytearray()
        read_until(w.stdout.fileno(), wout, lambda b: b"done" in b, time.monotonic() + 60)
        if b"done" not in wout:
            sys.exit("the workload did not finish")
        t0 = time.monotonic()
        t.send_signal(signal.SIGINT)
        if not read_until(t.stdout.fileno(), out, lambda b: False, t0 + 120):
            sys.exit("the tracer did not exit within 120 s of SIGINT")
        t.wait()
        took = time.monotonic() - t0
    finally:
        for p in (w, t):
            if p and p.poll() is None:
                p.kill()
                p.wait()
    keys = stacks(out.decode(errors="replace"))
    distinct = set(keys)
    named = [k for k in distinct if k.split("\n")[0].strip().startswith("stackLeaf")]
    ok = len(distinct) == n and len(named) == n and took <= limit and t.returncode == 0
    print("stacks printed: %d" % len(keys))
    print("distinct stacks: %d" % len(distinct))
    print("symbolised stacks: %d" % len(named))
    print("exit after SIGINT: %.3f s" % took)
    print("within %g s: %s" % (limit, "yes" if took <= limit else "no"))
    print("tracer exit status: %d" % t.returncode)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
