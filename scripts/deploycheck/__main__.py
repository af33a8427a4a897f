"""python3 -m deploycheck --root DIR --bin-dir DIR [--static-bin-dir DIR] --venv DIR CHECK...

Run by scripts/check-deploy.sh after its installs; prints one PASS/FAIL/SKIP line per item and
a summary, exits 1 if any item failed.
"""
import argparse
import os
import signal
import sys
import time

from . import compose, docker, k8s, nginx, report, systemd
from .report import guarded, log
from .setup import Setup, clean_environ

CHECKS = {"docker": docker.run, "compose": compose.run, "k8s": k8s.run, "systemd": systemd.run, "nginx": nginx.run}


def interrupted(signum, frame):
    sys.exit(130)


def main():
    parser = argparse.ArgumentParser(prog="deploycheck")
    parser.add_argument("--root", required=True)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--static-bin-dir", default="")
    parser.add_argument("--venv", required=True)
    parser.add_argument("checks", nargs="+", choices=list(CHECKS))
    args = parser.parse_args()

    # The checks start servers with settings of their own: nothing from the caller's environment.
    kept = clean_environ()
    os.environ.clear()
    os.environ.update(kept)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    setup = Setup(args.root, args.bin_dir, args.static_bin_dir, args.venv)
    try:
        log(f"binaries: {setup.bin_dir}{'; static: ' + setup.static_bin_dir if setup.static_bin_dir else ''}; "
            f"servers run as uid {setup.uid_label()}; checks: {' '.join(args.checks)}")
        for check in args.checks:
            report.current_check = check
            started = time.time()
            guarded(check, CHECKS[check], setup)
            log(f"{check} took {int(time.time() - started)}s")
    finally:
        setup.close()
    counts = report.counts
    print(f"check-deploy summary: PASS {counts['PASS']}, FAIL {counts['FAIL']}, SKIP {counts['SKIP']}", flush=True)
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
