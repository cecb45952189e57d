#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Types commands into a real interactive bash on a pseudo-terminal while a tracer runs a script.

Usage: pty_bashreadline.py TRACER SCRIPT

Starts `TRACER SCRIPT` (examples/bashreadline.bt: a uretprobe on /bin/bash:readline),
waits until it has attached, starts `/bin/bash --norc --noprofile -i` on a new
pseudo-terminal (fixed prompt, no inputrc), types the lines of COMMANDS one by one,
waiting after each for what the command prints and for the next prompt, types `exit`,
then stops the tracer with SIGINT.  Prints `bash pid: PID`, then everything the
tracer printed, so a test can match the commands against that pid.
"""
import os
import pty
import select
import signal
import subprocess
import sys
import time

TOKEN = b"__BPFTRACE_NOTIFY_PROBES_ATTACHED"
PROMPT = b"pty-readline$ "
# each command, and what bash prints when it has run it
COMMANDS = [
    (b"echo pty_readline_first $((40 + 2))", b"pty_readline_first 42"),
    (b"printf '%s\\n' pty_readline_second | tr a-z A-Z", b"PTY_READLINE_SECOND"),
]


def read_until(fd, buf, want, timeout):
    """Appends what fd yields to buf until want is in it (True) or timeout/EOF (False)."""
    deadline = time.monotonic() + timeout
    while want not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other side of the pty is gone
            return False
        if not chunk:
            return False
        buf += chunk
    return True


def start_bash():
    """bash -i on a new pty: (pid, master fd)."""
    env = {"PATH": "/usr/bin:/bin", "TERM": "dumb", "HOME": "/nonexistent",
           "PS1": PROMPT.decode(), "INPUTRC": "/dev/null", "LANG": "C"}
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], env)
        finally:
            os._exit(127)
    return pid, fd


def drive_bash(fd):
    """Types COMMANDS and exit; returns None or what went wrong."""
    seen = bytearray()
    if not read_until(fd, seen, PROMPT, 10):
        return "bash printed no prompt: %r" % bytes(seen[-200:])
    for line, result in COMMANDS:
        seen.clear()
        os.write(fd, line + b"\r")
        # the result, then the prompt after it (the echo of the line holds neither)
        if not read_until(fd, seen, result + b"\r\n", 10) or not read_until(fd, seen, PROMPT, 10):
            return "no %r after typing %r: %r" % (result, line, bytes(seen[-200:]))
    os.write(fd, b"exit\r")
    read_until(fd, seen, b"\0", 5)  # until EOF: bash is gone
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tracer = subprocess.Popen([sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              env=dict(os.environ, __BPFTRACE_NOTIFY_PROBES_ATTACHED="1"),
                              start_new_session=True)
    out = bytearray()
    bash = fd = None
    try:
        if not read_until(tracer.stdout.fileno(), out, TOKEN, 30):
            sys.exit("the tracer did not attach:\n" + out.decode(errors="replace"))
        bash, fd = start_bash()
        print("bash pid: %d" % bash, flush=True)
        why = drive_bash(fd)
        if why:
            print(why, flush=True)
        os.waitpid(bash, 0)
        bash = None
        time.sleep(0.2)  # let the last event reach the tracer's output
        tracer.send_signal(signal.SIGINT)
        read_until(tracer.stdout.fileno(), out, b"\0", 30)
        tracer.wait(10)
    finally:
        if bash:
            os.kill(bash, signal.SIGKILL)
            os.waitpid(bash, 0)
        if fd is not None:
            os.close(fd)
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
    sys.stdout.write(out.decode(errors="replace"))
    return tracer.returncode


if __name__ == "__main__":
    sys.exit(main())
