"""deploy/systemd: the unit, its env file, sysusers and tmpfiles; the unit's commands run by hand
(systemd_run)."""
import os
import re
import shlex
import shutil
import subprocess

from .files import duration_seconds
from .report import expect, failed, guarded, passed, skipped
from .setup import run_tool
from .systemd_files import parse_env_file, parse_unit, systemd_files, unit_values
from .systemd_run import check_run


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
