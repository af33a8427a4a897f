"""What every check shares: the paths, the binaries, the non-root user, the processes started."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from .report import expect, log


def clean_environ():
    """The environment without the caller's PYRMUTE_REGISTRY_* settings and NOTIFY_SOCKET."""
    return {k: v for k, v in os.environ.items()
            if not k.upper().startswith("PYRMUTE_REGISTRY_") and k.upper() != "NOTIFY_SOCKET"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return None, str(error).encode()


def run_tool(argv, **kwargs):
    """(exit status, stdout and stderr as one text without its last newlines), like `out=$(cmd 2>&1)`."""
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    except OSError as error:
        return 127, str(error)
    return r.returncode, r.stdout.rstrip("\n")


def stop_process(process, sig="TERM"):
    """Signal, wait up to 10 s, then SIGKILL."""
    if process.poll() is not None:
        return
    try:
        process.send_signal(getattr(signal, "SIG" + sig))
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Server:
    def __init__(self, process, port, supervisor_port, folder):
        self.process, self.port, self.supervisor_port, self.folder = process, port, supervisor_port, folder


class Setup:
    """Paths and binaries of this run; the processes it starts are stopped by close()."""

    def __init__(self, root, bin_dir, static_bin_dir, venv):
        self.root = root
        self.deploy = os.path.join(root, "deploy")
        self.bin_dir = bin_dir
        self.static_bin_dir = static_bin_dir
        self.venv = venv
        self.work = tempfile.mkdtemp(prefix="pyrmute-deploy.", dir="/tmp")
        os.chmod(self.work, 0o755)
        self.processes = []
        self.cli = os.path.join(bin_dir, "pyrmute-registry")
        # Servers run as a non-root user, as every setup here runs them (image USER 1000, pods'
        # runAsUser, the unit's User=): as root, some things work that fail for any other user
        # (e.g. a socket option that needs CAP_NET_ADMIN). As root, they run as nobody (65534).
        self.run_as_uid = 65534 if os.getuid() == 0 else None
        if self.run_as_uid is not None and not self._reachable_by_service_user():
            # The build folder is not reachable for that user: run copies.
            copies = os.path.join(self.work, "bin")
            os.makedirs(copies)
            for name in ("pyrmute-registry", "pyrmute-registry-worker"):
                shutil.copy(os.path.join(bin_dir, name), copies)
                os.chmod(os.path.join(copies, name), 0o755)
            os.chmod(copies, 0o755)
            self.cli = os.path.join(copies, "pyrmute-registry")
        self.run_dir = os.path.dirname(self.cli)   # the binaries the servers run (bin_dir or its copy)

    def uid_label(self):
        return str(self.run_as_uid if self.run_as_uid is not None else os.getuid())

    def as_service_user(self):
        """preexec_fn: run a child as the non-root user (like the unit's User=) when we are root."""
        if self.run_as_uid is not None:
            os.setgroups([])
            os.setgid(self.run_as_uid)
            os.setuid(self.run_as_uid)

    def _reachable_by_service_user(self):
        worker = os.path.join(self.bin_dir, "pyrmute-registry-worker")
        r = subprocess.run(["test", "-x", self.cli, "-a", "-r", self.cli, "-a", "-x", worker],
                           preexec_fn=self.as_service_user, stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def tool(self, name):
        return os.path.join(self.venv, "bin", name)

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def start(self, argv, **kwargs):
        """A long-running child, stopped by close() if the check does not stop it."""
        process = subprocess.Popen(argv, **kwargs)
        self.processes.append(process)
        return process

    def start_server(self, name, **settings):
        """`pyrmute-registry serve` on loopback, one worker, SQLite in its own folder, as the
        non-root user; None (its log shown) if it does not serve."""
        folder = os.path.join(self.work, name)
        os.makedirs(folder, exist_ok=True)
        if self.run_as_uid is not None:
            os.chown(folder, self.run_as_uid, self.run_as_uid)
        port, supervisor_port = free_port(), free_port()
        env = {**clean_environ(), "HOME": folder, "PYRMUTE_REGISTRY_DATABASE_URL": f"sqlite:///{folder}/registry.db",
               "PYRMUTE_REGISTRY_HOST": "127.0.0.1", "PYRMUTE_REGISTRY_PORT": str(port),
               "PYRMUTE_REGISTRY_SUPERVISOR_PORT": str(supervisor_port), "PYRMUTE_REGISTRY_WORKERS": "1",
               "PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT": "5", **settings}
        log_path = os.path.join(folder, "server.log")
        with open(log_path, "w") as server_log:
            process = self.start([self.cli, "serve"], env=env, cwd=folder, stdin=subprocess.DEVNULL,
                                 stdout=server_log, stderr=subprocess.STDOUT, preexec_fn=self.as_service_user)
        url = f"http://127.0.0.1:{port}/health/live"
        for _ in range(200):
            status, _ = http_get(url, timeout=1)
            # Served once the worker answers and the supervisor counts it running (its liveness
            # answers 200): a check that asks the supervisor right away must not see the moment
            # between the two.
            if status is not None and 200 <= status < 400 and self._supervisor_live(supervisor_port):
                return Server(process, port, supervisor_port, folder)
            if process.poll() is not None:
                break
            time.sleep(0.1)
        status, body = http_get(url, timeout=2)
        log(f"the server (uid {self.uid_label()}) did not serve on port {port}: "
            f"{status if status is not None else body.decode(errors='replace')}; its log:")
        with open(log_path, errors="replace") as f:
            for line in f:
                print("    " + line.rstrip("\n"), file=sys.stderr)
        stop_process(process)
        return None

    @staticmethod
    def _supervisor_live(supervisor_port):
        return http_get(f"http://127.0.0.1:{supervisor_port}/", timeout=1)[0] == 200

    def settings_check(self, label, env, expect_lines=()):
        """`pyrmute-registry config` with ENV: the server's own settings loader accepts every value."""
        with tempfile.TemporaryDirectory() as cwd:
            r = subprocess.run([self.cli, "config"], env={**clean_environ(), **env}, cwd=cwd,
                               capture_output=True, text=True, timeout=30)
        out = r.stdout + r.stderr
        missing = [line for line in expect_lines if line not in out]
        expect(r.returncode == 0 and not missing,
               f"{label}: the server's settings loader accepts them ({', '.join(line.strip() for line in expect_lines)})",
               f"exit {r.returncode}, missing {missing}: {out.strip()[-600:]}")

    def close(self):
        for process in self.processes:
            stop_process(process)
        shutil.rmtree(self.work, ignore_errors=True)
