"""The build context: .dockerignore keeps what the Dockerfile's build needs and leaves local state out."""
import os
import re
import subprocess

from .report import expect


def dockerignore_patterns(path):
    patterns = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            negated = s.startswith("!")
            s = os.path.normpath(s[1:].strip() if negated else s).lstrip("/")
            regex, i = "", 0
            while i < len(s):
                if s.startswith("**/", i):
                    regex, i = regex + "(?:.*/)?", i + 3
                elif s.startswith("**", i):
                    regex, i = regex + ".*", i + 2
                elif s[i] == "*":
                    regex, i = regex + "[^/]*", i + 1
                elif s[i] == "?":
                    regex, i = regex + "[^/]", i + 1
                else:
                    regex, i = regex + re.escape(s[i]), i + 1
            patterns.append((negated, re.compile("^" + regex + "$")))
    return patterns


def excluded(path, patterns):
    """Docker's rule: the last pattern matching the path or one of its parent folders decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    result = False
    for negated, regex in patterns:
        if any(regex.match(p) for p in prefixes):
            result = not negated
    return result


def check(setup):
    root = setup.root
    path = os.path.join(root, ".dockerignore")
    if not expect(os.path.exists(path), ".dockerignore at the repository root (the build context)"):
        return
    patterns = dockerignore_patterns(path)
    r = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True)
    files = r.stdout.split() if r.returncode == 0 else []
    if not files:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith((".build", ".venv"))]
            files += [os.path.relpath(os.path.join(dirpath, n), root) for n in filenames]
    context = [f for f in files if not excluded(f, patterns)]
    with open(os.path.join(root, "Package.swift"), encoding="utf-8") as f:
        manifest = f.read()
    target_paths = sorted(set(re.findall(r'\bpath:\s*"([^"]+)"', manifest)))
    problems = []
    for tp in target_paths:
        inside = [f for f in files if f.startswith(tp.rstrip("/") + "/")]
        dropped = [f for f in inside if excluded(f, patterns)]
        if not any(f in context for f in inside):
            problems.append(f"{tp}: nothing in the context")
        elif dropped and tp.startswith("Sources"):
            problems.append(f"{tp}: {dropped[:3]} left out")
    expect("Package.swift" in context and not problems,
           f"the build context keeps Package.swift and every target path of Package.swift ({len(target_paths)})",
           "; ".join(problems))
    sources_dropped = [f for f in files if f.startswith("Sources/") and excluded(f, patterns)]
    expect(not sources_dropped, "nothing under Sources/ is left out of the context", f"{sources_dropped[:5]}")
    local_state = [".build/debug/pyrmute-registry", ".build-release/release/x", ".venv-client/bin/python",
                   "registry.db", "registry.db-wal", ".env", ".git/HEAD", "deploy/docker-compose.yml"]
    kept = [p for p in local_state if not excluded(p, patterns)]
    expect(not kept, "build folders, venvs, databases, .env and .git stay out of the context", f"kept: {kept}")
