"""One PASS/FAIL/SKIP line per checked item, on stdout as it happens, counted for the summary."""
import sys
import traceback

current_check = "?"
counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}


def report(kind, message):
    counts[kind] += 1
    print(f"{kind} {current_check}: {message}", flush=True)


def passed(message):
    report("PASS", message)


def failed(message):
    report("FAIL", message)


def skipped(message):
    report("SKIP", message)


def expect(condition, message, detail=""):
    if condition:
        passed(message)
    else:
        failed(message + (f" -- {detail}" if detail else ""))
    return bool(condition)


def log(message):
    print(f"check-deploy: {message}", file=sys.stderr, flush=True)


def guarded(step, function, *args):
    """Runs one step of a check: a crash is a failed item with its reason, and the check goes on."""
    try:
        return function(*args)
    except Exception as error:
        traceback.print_exc()
        failed(f"{step} crashed: {error!r}")
        return None
