"""deploy/Dockerfile: hadolint, its stages and instructions, the runtime packages against the
binaries' libraries, .dockerignore, and the HEALTHCHECK command against a live server."""
import json
import os
import re
import subprocess

from . import dockerignore
from .dockerfile import apt_installs, dockerfile_stages, healthcheck_argv
from .libraries import DpkgDatabase, library_check
from .report import expect, failed, guarded, passed, skipped
from .setup import clean_environ, free_port, run_tool, stop_process


def check_dockerfile(setup):
    bin_dir, static_dir = setup.bin_dir, setup.static_bin_dir
    path = os.path.join(setup.deploy, "Dockerfile")
    stages = dockerfile_stages(path)
    expect(len(stages) >= 2, "deploy/Dockerfile is multi-stage", f"{len(stages)} stage(s)")
    if len(stages) < 2:
        return
    build, runtime = stages[0], stages[-1]
    m_build = re.fullmatch(r"swift:6(?:\.\d+)*-(\w+)", build["image"])
    m_runtime = re.fullmatch(r"debian:(\w+)-slim", runtime["image"])
    expect(m_build, f"build stage FROM a Swift 6 toolchain image ({build['image']})")
    expect(m_runtime, f"runtime stage FROM a slim Debian ({runtime['image']})")
    codename = {}
    with open("/etc/os-release") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            codename[k] = v.strip('"')
    same_release = bool(m_build and m_runtime and m_build.group(1) == m_runtime.group(1))
    expect(same_release, "build and runtime stages are the same Debian release",
           f"{build['image']} vs {runtime['image']}")

    build_runs = " ".join(rest for k, rest, _ in build["instr"] if k == "RUN")
    release_builds = re.findall(r"swift build [^&;]*-c release[^&;]*", build_runs)
    expect(release_builds and all("--static-swift-stdlib" in b for b in release_builds),
           "every release build uses --static-swift-stdlib", f"{release_builds}")
    expect("pyrmute-registry-worker" in build_runs and re.search(r"pyrmute-registry\b(?!-)", build_runs),
           "the build stage stages both binaries (pyrmute-registry, pyrmute-registry-worker)")

    runs = [rest for k, rest, _ in runtime["instr"] if k == "RUN"]
    packages = [p for r in runs for p in apt_installs(r)]
    expect(packages, f"runtime stage installs: {' '.join(packages)}")
    expect(all("--no-install-recommends" in r for r in runs if "apt-get install" in r) and
           all("rm -rf /var/lib/apt/lists" in r for r in runs if "apt-get install" in r),
           "runtime apt-get install: --no-install-recommends, lists removed")
    expect(not set(packages) & {"curl", "wget", "swift", "build-essential", "libpq-dev", "libsqlite3-dev"},
           "runtime stage has no curl, wget, compilers or -dev packages")
    users = [rest for k, rest, _ in runtime["instr"] if k == "USER"]
    expect(users and users[-1].split(":")[0] == "1000", f"runtime runs as non-root user 1000 (USER {users[-1] if users else '-'})")
    exposed = " ".join(rest for k, rest, _ in runtime["instr"] if k == "EXPOSE").split()
    expect("8000" in [e.split("/")[0] for e in exposed], f"EXPOSE 8000 ({' '.join(exposed)})")
    cmds = [rest for k, rest, _ in runtime["instr"] if k == "CMD"]
    expect(cmds and json.loads(cmds[-1]) == ["pyrmute-registry", "serve"], 'CMD ["pyrmute-registry", "serve"]', f"{cmds}")
    copies = [rest for k, rest, _ in runtime["instr"] if k == "COPY" and "--from=" in rest]
    expect(any(c.split()[-1].rstrip("/") == "/usr/local/bin" for c in copies),
           "the binaries land together in /usr/local/bin (on PATH; the supervisor finds the worker beside it)")
    argv = healthcheck_argv(runtime)
    expect(argv and "/health/live" in " ".join(argv), "HEALTHCHECK (exec form) asks /health/live", f"{argv}")
    expect(argv and argv[0] in ("/bin/bash", "/bin/sh", "pyrmute-registry", "/usr/local/bin/pyrmute-registry"),
           f"HEALTHCHECK uses a program the slim image has ({argv[0] if argv else '-'})")

    if not (m_runtime and m_runtime.group(1) == codename.get("VERSION_CODENAME")):
        skipped(f"library check: this machine is Debian {codename.get('VERSION_CODENAME')}, the image "
             f"{runtime['image']}: package names may differ, not compared")
        return
    dpkg = DpkgDatabase()
    binaries = [os.path.join(bin_dir, n) for n in ("pyrmute-registry", "pyrmute-registry-worker")]
    used = library_check(f"ldd {setup.rel(bin_dir) if bin_dir.startswith(setup.root) else bin_dir}", binaries, packages, dpkg, static=False)
    # Packages used without being linked: libcurl is loaded with dlopen by `check-health` for
    # https:// URLs; ca-certificates are the trust roots of that and of webhook deliveries.
    loaded_at_run_time = {"libcurl4", "ca-certificates"}
    unused = sorted(set(packages) - used - loaded_at_run_time)
    expect(not unused, "every package the runtime stage installs provides a library the binaries link", f"unused: {unused}")
    if static_dir:
        static_binaries = [os.path.join(static_dir, n) for n in ("pyrmute-registry", "pyrmute-registry-worker")]
        library_check(f"ldd {static_dir} (static Swift runtime)", static_binaries, packages, dpkg, static=True)


def healthcheck_run(argv, port):
    env = {**clean_environ(), "PYRMUTE_REGISTRY_PORT": str(port)}
    try:
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=10)
        return r.returncode, (r.stdout + r.stderr).strip()
    except subprocess.TimeoutExpired:
        return None, "timed out"


def check_healthcheck(setup, port, closed_port):
    stages = dockerfile_stages(os.path.join(setup.deploy, "Dockerfile"))
    argv = healthcheck_argv(stages[-1])
    if not argv:
        expect(False, "HEALTHCHECK found")
        return
    # In the image the binaries are on PATH; here they are in the build folder.
    argv = [os.path.join(setup.run_dir, a) if a == "pyrmute-registry" else a for a in argv]
    rc, out = healthcheck_run(argv, port)
    expect(rc == 0, "the HEALTHCHECK command, run here, passes against a live server", f"exit {rc}: {out}")
    rc, out = healthcheck_run(argv, closed_port)
    expect(rc not in (0, None), "the HEALTHCHECK command fails when nothing serves", f"exit {rc}: {out}")


def run(setup):
    rc, out = run_tool([setup.tool("hadolint"), "--no-color", os.path.join(setup.deploy, "Dockerfile")])
    if rc == 0:
        passed("hadolint deploy/Dockerfile: no findings")
    else:
        failed(f"hadolint deploy/Dockerfile: {out}")
    guarded("dockerfile", check_dockerfile, setup)
    guarded("dockerignore", dockerignore.check, setup)
    server = setup.start_server("docker-server")
    if server:
        guarded("healthcheck", check_healthcheck, setup, server.port, free_port())
        stop_process(server.process)
    else:
        failed("a server for the HEALTHCHECK command did not start")
