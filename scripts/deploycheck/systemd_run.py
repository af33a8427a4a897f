"""The unit's ExecStartPre and ExecStart run by hand as systemd would, with NOTIFY_SOCKET set:
READY=1, ExecReload -> RELOADING=1 + READY=1, the KillSignal -> STOPPING=1 and exit 0."""
import os
import shlex
import signal
import socket
import subprocess
import tempfile
import time

from .files import duration_seconds
from .report import expect
from .setup import clean_environ, http_get
from .systemd_files import parse_env_file, parse_unit, systemd_files, unit_values


def check_run(setup, bin_dir):
    unit_path, env_path, _, _ = systemd_files(setup)
    unit = parse_unit(unit_path)
    service = dict(unit.get("Service", []))
    unit_env, _ = parse_env_file(env_path)

    def argv(line):
        words = shlex.split(line)
        return [os.path.join(bin_dir, os.path.basename(w)) if w.startswith("/usr/local/bin/") else w for w in words]

    with tempfile.TemporaryDirectory(prefix="pyrmute-unit-") as work:
        if setup.run_as_uid is not None:
            os.chown(work, setup.run_as_uid, setup.run_as_uid)
        ports = []
        for _ in range(2):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
            s.close()
        # The unit's environment with this machine's folder and ports (all else as shipped).
        env = {**clean_environ(), **unit_env,
               "PYRMUTE_REGISTRY_DATABASE_URL": f"sqlite:///{work}/registry.db",
               "PYRMUTE_REGISTRY_HOST": "127.0.0.1", "PYRMUTE_REGISTRY_PORT": str(ports[0]),
               "PYRMUTE_REGISTRY_SUPERVISOR_HOST": "127.0.0.1", "PYRMUTE_REGISTRY_SUPERVISOR_PORT": str(ports[1])}
        for line in unit_values(unit, "Service", "ExecStartPre"):
            r = subprocess.run(argv(line.lstrip("-")), env=env, cwd=work, capture_output=True, text=True, timeout=60,
                               preexec_fn=setup.as_service_user)
            expect(r.returncode == 0, f"ExecStartPre {' '.join(shlex.split(line)[1:])} by hand: exit 0", (r.stdout + r.stderr)[-400:])

        notify_path = os.path.join(work, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        os.chmod(notify_path, 0o777)   # like systemd's: any process of the unit may send
        log_path = os.path.join(work, "server.log")
        log = open(log_path, "w")
        command = argv(service["ExecStart"])
        process = subprocess.Popen(command, env={**env, "NOTIFY_SOCKET": notify_path, "HOME": work}, cwd=work,
                                   stdout=log, stderr=log, preexec_fn=setup.as_service_user)

        def wait_for(needle, timeout):
            seen, deadline = [], time.time() + timeout
            while time.time() < deadline:
                notify.settimeout(max(0.05, deadline - time.time()))
                try:
                    message = notify.recv(4096).decode()
                except socket.timeout:
                    break
                seen.append(message.replace("\n", " "))
                if needle in message.split("\n"):
                    return seen
            return None if not seen else [None] + seen

        def log_tail():
            log.flush()
            with open(log_path) as f:
                return f.read()[-800:]

        try:
            seen = wait_for("READY=1", 30)
            ready = bool(seen) and seen[0] is not None
            expect(ready, f"ExecStart by hand as uid {setup.uid_label()} with NOTIFY_SOCKET: READY=1 ({seen[-1] if seen else 'nothing'})", log_tail())
            status, _ = http_get(f"http://127.0.0.1:{ports[0]}/health/ready")
            expect(status == 200, "after READY=1 the workers serve (/health/ready 200)", f"status {status}")
            reload_line = service.get("ExecReload", "").replace("$MAINPID", str(process.pid)).replace("${MAINPID}", str(process.pid))
            r = subprocess.run(argv(reload_line), capture_output=True, text=True, preexec_fn=setup.as_service_user)
            seen_reload = wait_for("RELOADING=1", 15)
            seen_ready = wait_for("READY=1", 30) if seen_reload and seen_reload[0] is not None else None
            expect(r.returncode == 0 and seen_reload and seen_reload[0] is not None and seen_ready and seen_ready[0] is not None,
                   "ExecReload (kill -HUP $MAINPID): RELOADING=1, then READY=1 when the new workers serve",
                   f"kill exit {r.returncode}, {seen_reload}, {seen_ready}; {log_tail()}")
            status, _ = http_get(f"http://127.0.0.1:{ports[0]}/health/live")
            expect(status == 200, "after the reload the workers serve (/health/live 200)", f"status {status}")
            kill_signal = getattr(signal, service.get("KillSignal", "SIGTERM"))
            started = time.time()
            process.send_signal(kill_signal)
            seen_stop = wait_for("STOPPING=1", 10)
            try:
                code = process.wait(timeout=duration_seconds(service.get("TimeoutStopSec", "90")))
            except subprocess.TimeoutExpired:
                code = None
            expect(seen_stop and seen_stop[0] is not None and code == 0,
                   f"{service.get('KillSignal', 'SIGTERM')}: STOPPING=1 and exit 0 after {time.time() - started:.1f} s "
                   f"(TimeoutStopSec {service.get('TimeoutStopSec')})", f"{seen_stop}, exit {code}; {log_tail()}")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            notify.close()
            log.close()
