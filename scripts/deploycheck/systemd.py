"""deploy/systemd: the unit, its env file, sysusers and tmpfiles; the unit's commands run by hand."""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from .files import duration_seconds
from .report import expect, failed, guarded, passed, skipped
from .setup import clean_environ, http_get, run_tool


def parse_unit(path):
    sections, current, pending = {}, None, ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if pending:
                line, pending = pending + " " + line.strip(), ""
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            if s.endswith("\\"):
                pending = s[:-1]
                continue
            if s.startswith("[") and s.endswith("]"):
                current = s[1:-1]
                sections.setdefault(current, [])
                continue
            key, _, value = s.partition("=")
            sections.setdefault(current, []).append((key.strip(), value.strip()))
    return sections


def unit_values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def parse_env_file(path):
    env, problems = {}, []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s[0] in "#;":
                continue
            key, sep, value = s.partition("=")
            if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                problems.append(f"line {number}: not KEY=value")
            elif re.search(r"[\"'\\$`\s]", value):
                problems.append(f"line {number}: quotes, spaces, $ or backslashes read differently by systemd and sh")
            env[key] = value
    return env, problems


def systemd_files(setup):
    d = os.path.join(setup.deploy, "systemd")
    return (os.path.join(d, "pyrmute-registry.service"), os.path.join(d, "pyrmute-registry.env"),
            os.path.join(d, "pyrmute-registry.sysusers"), os.path.join(d, "pyrmute-registry.tmpfiles"))


def check_static(setup):
    unit_path, env_path, sysusers_path, tmpfiles_path = systemd_files(setup)
    unit = parse_unit(unit_path)
    service = dict(unit.get("Service", []))
    env, problems = parse_env_file(env_path)
    expect(not problems, "pyrmute-registry.env: plain KEY=value lines (systemd and `set -a; . FILE` agree)", "; ".join(problems))
    shell = subprocess.run(["env", "-i", "bash", "-c", 'set -a; . "$1"; env -0', "_", env_path], capture_output=True, text=True)
    from_shell = dict(item.split("=", 1) for item in shell.stdout.split("\0") if item.startswith("PYRMUTE_REGISTRY_"))
    expect(from_shell == {k: v for k, v in env.items() if k.startswith("PYRMUTE_REGISTRY_")},
           "pyrmute-registry.env reads the same through `set -a; . FILE` (the documented create-admin-key command)")

    expect(service.get("Type") == "notify", f"Type=notify ({service.get('Type')})")
    expect(service.get("NotifyAccess", "main") == "main", "NotifyAccess=main (only the supervisor notifies)")
    exec_start = shlex.split(service.get("ExecStart", ""))
    expect(exec_start[:1] == ["/usr/local/bin/pyrmute-registry"] and exec_start[1:2] == ["serve"], f"ExecStart: {' '.join(exec_start)}")
    pre = [shlex.split(v) for v in unit_values(unit, "Service", "ExecStartPre")]
    expect(any(p[:2] == ["/usr/local/bin/pyrmute-registry", "init-db"] for p in pre), "ExecStartPre runs init-db (production only checks the database)")
    expect(service.get("ExecReload") == "/bin/kill -HUP $MAINPID", f"ExecReload=/bin/kill -HUP $MAINPID ({service.get('ExecReload')})")
    expect(service.get("KillMode", "control-group") in ("mixed", "control-group"), f"KillMode={service.get('KillMode', 'control-group')}")
    graceful = float(env.get("PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT", 30))
    stop = duration_seconds(service.get("TimeoutStopSec", "90"))
    expect(stop > graceful, f"TimeoutStopSec {stop:g}s > GRACEFUL_TIMEOUT {graceful:g}s")
    expect(service.get("NoNewPrivileges") == "yes", "NoNewPrivileges=yes")
    expect(service.get("ProtectSystem") == "strict", "ProtectSystem=strict")
    writable = " ".join(unit_values(unit, "Service", "ReadWritePaths")).split()
    url = env.get("PYRMUTE_REGISTRY_DATABASE_URL", "")
    sqlite_dir = os.path.dirname(url[len("sqlite:///"):]) if url.startswith("sqlite:////") else None
    workdir = service.get("WorkingDirectory")
    expect(sqlite_dir is None or sqlite_dir in writable, f"ReadWritePaths {writable} holds the SQLite folder {sqlite_dir}")
    expect(workdir in writable, f"WorkingDirectory {workdir} is writable")
    env_files = [v.lstrip("-") for v in unit_values(unit, "Service", "EnvironmentFile")]
    expect(env_files == ["/etc/pyrmute-registry/env"], f"EnvironmentFile=/etc/pyrmute-registry/env ({env_files})")

    with open(sysusers_path) as f:
        users = [shlex.split(line) for line in f if line.strip() and not line.startswith("#")]
    user_line = next((u for u in users if u[0] == "u"), [])
    expect(user_line and user_line[1] == service.get("User") and service.get("User") not in (None, "root")
           and user_line[4] == workdir, f"User={service.get('User')}: a system user from sysusers.d, home {workdir}")
    with open(tmpfiles_path) as f:
        dirs = {line.split()[1]: line.split() for line in f if line.strip() and not line.startswith("#")}
    expect(workdir in dirs and dirs[workdir][3] == service.get("User")
           and os.path.dirname(env_files[0] if env_files else "") in dirs,
           "tmpfiles.d makes the state folder (owned by the user) and /etc/pyrmute-registry")
    setup.settings_check("pyrmute-registry.env", env, ["Environment: production", "Enabled: True"])


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


def check_analyze(setup, unit, folder):
    """systemd-analyze verify and security on the unit as installed, with this build's binary path."""
    if not shutil.which("systemd-analyze"):
        skipped("systemd-analyze is not installed (apt package systemd): verify and security not run")
        return
    # Can systemd-analyze load units here at all (e.g. in a container without systemd)?
    probe = os.path.join(folder, "check-deploy-probe.service")
    with open(probe, "w") as f:
        f.write("[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n")
    rc, out = run_tool(["systemd-analyze", "verify", probe], cwd=folder)
    if rc != 0 or out:
        skipped(f"systemd-analyze verify cannot run here: {out or 'exit status non-zero'}")
        return
    installed = os.path.join(folder, "pyrmute-registry.service")
    with open(unit, encoding="utf-8") as source, open(installed, "w", encoding="utf-8") as target:
        target.write(source.read().replace("/usr/local/bin/pyrmute-registry", setup.cli))
    rc, out = run_tool(["systemd-analyze", "verify", installed], cwd=folder)
    if rc == 0 and not out:
        passed("systemd-analyze verify: no warnings")
    else:
        failed(f"systemd-analyze verify: {out}")
    rc, out = run_tool(["systemd-analyze", "security", "--offline=yes", "--threshold=40", installed])
    levels = re.findall(r"Overall exposure level.*", out)
    if rc == 0:
        level = "\n".join(re.sub(r"for [^ ]* ", "", line, count=1) for line in levels)
        passed(f"systemd-analyze security: {level} (threshold 4.0)")
    elif levels:
        level = "\n".join(levels)
        failed(f"systemd-analyze security above 4.0: {level}")
    else:
        skipped(f"systemd-analyze security --offline cannot run here: {out.split(chr(10))[-1]}")


def mode_of(path):
    try:
        return format(os.stat(path).st_mode & 0o7777, "o")
    except OSError:
        return ""


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def check_sysusers_tmpfiles(setup, folder):
    """sysusers.d and tmpfiles.d applied to a temporary root."""
    if not (shutil.which("systemd-sysusers") and shutil.which("systemd-tmpfiles")):
        skipped("systemd-sysusers/systemd-tmpfiles are not installed")
        return
    _, _, sysusers_path, tmpfiles_path = systemd_files(setup)
    root = os.path.join(folder, "root")
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    rc, out = run_tool(["systemd-sysusers", f"--root={root}", sysusers_path])
    passwd = read_text(os.path.join(root, "etc", "passwd"))
    group = read_text(os.path.join(root, "etc", "group"))
    user_line = r"^pyrmute-registry:x:[0-9]*:[0-9]*:Pyrmute schema registry:/var/lib/pyrmute-registry:/usr/sbin/nologin$"
    if rc == 0 and re.search(user_line, passwd, re.M) and re.search(r"^pyrmute-registry:x:", group, re.M):
        passed("systemd-sysusers creates the system user and group pyrmute-registry (home /var/lib/pyrmute-registry, nologin)")
    else:
        failed(f"systemd-sysusers: {out} {passwd.rstrip(chr(10))}")
    rc, out = run_tool(["systemd-tmpfiles", f"--root={root}", "--create", tmpfiles_path])
    if (rc == 0 and mode_of(os.path.join(root, "var/lib/pyrmute-registry")) == "750"
            and mode_of(os.path.join(root, "etc/pyrmute-registry")) == "750"):
        passed("systemd-tmpfiles creates /var/lib/pyrmute-registry and /etc/pyrmute-registry (0750)")
    else:
        failed(f"systemd-tmpfiles: {out}")


def run(setup):
    unit, _, _, _ = systemd_files(setup)
    folder = os.path.join(setup.work, "systemd")
    os.makedirs(folder, exist_ok=True)
    guarded("systemd-static", check_static, setup)
    check_analyze(setup, unit, folder)
    check_sysusers_tmpfiles(setup, folder)
    guarded("systemd-run", check_run, setup, setup.run_dir)
