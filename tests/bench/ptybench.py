"""ptybench.py: a small pseudo-terminal harness for `make bench`.

Runs a program on a pty of a given size, reads what it writes to the
screen with timestamps, types keys, and measures the process (CPU from
/proc/PID/stat and /proc/PID/task/*/sched, RSS from /proc/PID/status,
peak RSS from wait4). Not
named tty.py: that would shadow the stdlib module `pty` itself imports.

As a module:
    t = spawn(["./pgdeck", "shell"])      # on a 120x40 xterm-256color pty
    first, hit = t.read_until(rb"=> ")    # monotonic times, or None
    t.write(b"SELECT 1;\\n"); t.close()

As a tool (used by shell_speed.sh and dash_speed.sh; each prints one line
of space-separated numbers, milliseconds unless named otherwise):
    ptybench.py prompt RUNS DBNAME NAME CMD RESULT_RE [NAME CMD RESULT_RE]...
        NAME p50 p90 p50 p90 per program: spawn to the prompt, then
        spawn to the result of a SELECT 1 typed as the prompt appeared
        (a prompt drawn before the connection is up pays for it there);
        the programs alternate, RUNS runs each
    ptybench.py rusage OUTFILE CMD
        wall_ms maxrss_kb exit_status (CMD's stdout to OUTFILE)
    ptybench.py idle SETTLE_S SECS CMD
        cpu_pct tick_pct run_pct rss_kb anon_kb first_draw_bytes idle_bytes
        bursts
        after SETTLE_S seconds, over SECS: CPU as % of one core (utime +
        stime; tick_pct is one clock tick's worth, its resolution; run_pct
        the same from sum_exec_runtime, to the ns, -1 if unknown), VmRSS
        and RssAnon at the end, the bytes of the first draw, the bytes written while
        idle and the bursts (redraws) they came in
    ptybench.py keys PRESSES KEY MARKER CMD
        n p50 p99 max p50 p99 max misses: PRESSES times KEY (escapes
        such as \\t allowed), each after 20-50 ms of quiet; from the write
        to the first byte of output, then to MARKER (a string the key
        always draws: it tells a refresh that happened to come first from
        the answer); misses: no MARKER within 2 s (the fifth ends the run)
CMD is one shell-style string (split with shlex), run without a shell.
"""
import fcntl
import os
import random
import re
import select
import shlex
import signal
import struct
import sys
import termios
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
BURST_GAP = 0.05  # s of silence that ends one burst of screen output
CPR = b"\x1b[6n"  # "where is the cursor?": pgcli waits for the answer


class Term:
    """A child process on a pty; fd is the master side."""

    def __init__(self, pid, fd):
        self.pid, self.fd = pid, fd
        self.t0 = time.monotonic()  # just before the fork
        self.buf = b""              # output not yet consumed by a match
        self.status = None          # wait status once reaped

    def _read(self, timeout):
        """One read of what is there within timeout seconds: (time, bytes),
        or (None, b"") on timeout; b"" with a time at end of file."""
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return None, b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the pty
            data = b""
        now = time.monotonic()
        for _ in range(data.count(CPR)):  # answer as a terminal would
            os.write(self.fd, b"\x1b[1;1R")
        return now, data

    def read_until(self, pattern, timeout=10.0):
        """Reads until the regex pattern (bytes) matches the output since
        the last match. Returns (time of the first byte read, time of the
        read that completed the match); either is None if it never came."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        first = last = None
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return first, last if last is not None else time.monotonic()
            last, data = self._read(deadline - time.monotonic())
            if last is None or not data:
                return first, None
            if first is None:
                first = last
            self.buf += data

    def read_for(self, secs):
        """Reads for secs seconds; returns [(time, nbytes)], one per read."""
        out, end = [], time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            now, data = self._read(left)
            if now is None:
                return out
            if not data:  # the child is gone: nothing more will come
                time.sleep(left)
                return out
            out.append((now, len(data)))

    def drain(self, quiet, limit=2.0):
        """Reads until there has been no output for quiet seconds (or
        limit seconds have passed); what was read is thrown away."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            now, data = self._read(quiet)
            if now is None or not data:
                break
        self.buf = b""

    def write(self, data):
        os.write(self.fd, data)

    def cpu_seconds(self):
        """utime + stime of the child so far, from /proc/PID/stat."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # 14th, 15th

    def run_seconds(self):
        """CPU time of the child's live threads, to the nanosecond: the sum
        of se.sum_exec_runtime (ms) in /proc/PID/task/*/sched; None where
        the kernel has no such file (no CONFIG_SCHED_DEBUG)."""
        total = 0.0
        try:
            for tid in os.listdir("/proc/%d/task" % self.pid):
                with open("/proc/%d/task/%s/sched" % (self.pid, tid)) as f:
                    for line in f:
                        if line.startswith("se.sum_exec_runtime"):
                            total += float(line.split(":")[1])
        except OSError:
            return None
        return total / 1000.0

    def rss_kb(self, field="VmRSS"):
        """VmRSS (or another field of /proc/PID/status, such as RssAnon:
        the heap and stacks, not the mapped files and libraries) of the
        child now, in kB."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def close(self, quit_keys=None, grace=1.0):
        """Types quit_keys (if any), waits up to grace seconds for the child
        to leave, then SIGTERM, then SIGKILL; always reaps it."""
        if quit_keys:
            try:
                self.write(quit_keys)
            except OSError:
                pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
            end = time.monotonic() + grace
            while time.monotonic() < end:
                self._read(0.02)  # keep the pty drained while it exits
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.status = status
                    os.close(self.fd)
                    return status
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return None


def spawn(argv, cols=120, rows=40, env=None):
    """Starts argv on a new pty of cols x rows with TERM=xterm-256color
    (plus env, a dict) and returns its Term."""
    t0 = time.monotonic()
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols,
                                                       0, 0))
    pid = os.fork()
    if pid == 0:  # the child: the slave side as its controlling terminal
        try:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.environ["TERM"] = "xterm-256color"
            os.environ.update(env or {})
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(slave)
    t = Term(pid, master)
    t.t0 = t0
    return t


def percentile(xs, p):
    """The p-th percentile (nearest rank) of xs; nan when xs is empty."""
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs))) - 1))]


def bursts(reads, gap=BURST_GAP):
    """Groups [(time, nbytes)] into bursts split by gap seconds of silence;
    returns the byte count of each."""
    out, last = [], None
    for t, n in reads:
        if last is None or t - last > gap:
            out.append(0)
        out[-1] += n
        last = t
    return out


# ---- the tool ----

def cmd_prompt(args):
    """Spawn to prompt, and to SELECT 1's result, alternating programs."""
    runs, dbname, progs = int(args[0]), args[1].encode(), args[2:]
    prompt = re.escape(dbname) + rb"=?[>#]"  # psql's "db=> ", pgcli's "db>"
    progs = [progs[i:i + 3] for i in range(0, len(progs), 3)]
    times = {p[0]: ([], []) for p in progs}
    failed = set()  # programs that once showed no prompt: not run again
    for _ in range(runs):
        for name, cmd, result in progs:
            if name in failed:
                continue
            t = spawn(shlex.split(cmd))
            _, at = t.read_until(prompt, timeout=5.0)
            if at is None:
                failed.add(name)
            else:
                times[name][0].append((at - t.t0) * 1000)
                t.write(b"SELECT 1;\n")
                _, done = t.read_until(result.encode())
                if done is not None:
                    times[name][1].append((done - t.t0) * 1000)
            t.close(b"\\q\n")
    line = []
    for name, _, _ in progs:
        start, first = times[name]
        line += [name] + ["%.1f" % v for v in (
            percentile(start, 50), percentile(start, 90),
            percentile(first, 50), percentile(first, 90))]
    print(" ".join(line))


def cmd_rusage(args):
    """Wall time and peak RSS of CMD with its stdout to OUTFILE."""
    out = os.open(args[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    argv = shlex.split(args[1])
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(out, 1)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    os.close(out)
    print("%.1f %d %d" % (wall * 1000, ru.ru_maxrss,
                          os.waitstatus_to_exitcode(status)))


def cmd_idle(args):
    """CPU and RSS of an idle dashboard, and what it writes per redraw."""
    settle, secs, argv = float(args[0]), float(args[1]), shlex.split(args[2])
    t = spawn(argv)
    reads = t.read_for(settle)
    first = bursts(reads, gap=0.1)[0] if reads else 0  # the first draw
    c0, r0, w0 = t.cpu_seconds(), t.run_seconds(), time.monotonic()
    reads = t.read_for(secs)
    c1, r1, w1 = t.cpu_seconds(), t.run_seconds(), time.monotonic()
    rss, anon = t.rss_kb(), t.rss_kb("RssAnon")
    t.close(b"q")
    run = -1 if r0 is None or r1 is None else (r1 - r0) / (w1 - w0) * 100
    print("%.3f %.3f %.4f %d %d %d %d %d" % (
        (c1 - c0) / (w1 - w0) * 100, 100.0 / CLK_TCK / (w1 - w0), run, rss,
        anon, first, sum(n for _, n in reads), len(bursts(reads))))


def cmd_keys(args):
    """Key press to screen: PRESSES times KEY, 20-50 ms of quiet between."""
    presses = int(args[0])
    key = args[1].encode().decode("unicode_escape").encode("latin-1")
    marker = args[2].encode()
    t = spawn(shlex.split(args[3]))
    t.read_for(2.0)  # the first draw and the first refresh
    first, drawn, misses = [], [], 0
    for _ in range(presses):
        t.drain(random.uniform(0.02, 0.05))
        t.write(key)
        t0 = time.monotonic()
        f, d = t.read_until(re.escape(marker), timeout=2.0)
        if f is None or d is None:
            misses += 1
            if misses >= 5:  # the program is gone or ignores KEY
                break
            continue
        first.append((f - t0) * 1000)
        drawn.append((d - t0) * 1000)
    t.close(b"q")
    print("%d %s %d" % (len(first), " ".join(
        "%.2f" % v for xs in (first, drawn) for v in (
            percentile(xs, 50), percentile(xs, 99), max(xs or [0]))), misses))


def main(argv):
    cmds = {"prompt": cmd_prompt, "rusage": cmd_rusage, "idle": cmd_idle,
            "keys": cmd_keys}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    cmds[argv[1]](argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
