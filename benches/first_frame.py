#!/usr/bin/env python3
# Whole-process first frame through a pseudo-terminal:
#   python3 benches/first_frame.py target/release/sev /tmp/big.db 15
# Time from exec to the first
# complete header line on the terminal.
import os, pty, sys, time, select, statistics
binary, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(n):
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update({"TERM": "xterm-256color", "SEV_SYSTEM_CONFIG": "/nonexistent", "SEV_CONFIG": ""})
        os.execv(binary, [binary, "--db", db])
    import fcntl, termios, struct
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    buf = b""
    while True:
        r, _, _ = select.select([fd], [], [], 5)
        if not r:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        buf += chunk
        if b"REF" in buf and (b"help" in buf):
            times.append((time.perf_counter() - t0) * 1000)
            break
    os.write(fd, b"q")
    time.sleep(0.05)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
print(f"first frame (exec → header and hints on screen), {len(times)} runs: median {statistics.median(times):.1f} ms, min {min(times):.1f}, max {max(times):.1f}")
