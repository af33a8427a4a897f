"""The binaries' shared libraries against the Debian packages the image's runtime stage installs."""
import os
import re
import subprocess

from .report import expect, report


class DpkgDatabase:
    """Installed packages: Depends, Pre-Depends, Provides, Priority, Essential (one dpkg-query)."""

    def __init__(self):
        fmt = "${Package}\t${db:Status-Status}\t${Priority}\t${Essential}\t${Depends}\t${Pre-Depends}\t${Provides}\n"
        out = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], capture_output=True, text=True).stdout
        self.packages, self.providers = {}, {}
        for line in out.splitlines():
            name, status, priority, essential, depends, predepends, provides = (line.split("\t") + [""] * 7)[:7]
            if status != "installed":
                continue
            deps = []
            for group in filter(None, (g.strip() for g in (depends + "," + predepends).split(","))):
                deps.append([re.sub(r"\s*\(.*?\)", "", alt).strip().split(":")[0] for alt in group.split("|")])
            self.packages[name] = {"priority": priority, "essential": essential == "yes", "deps": deps}
            for p in filter(None, (re.sub(r"\s*\(.*?\)", "", x).strip() for x in provides.split(","))):
                self.providers.setdefault(p, []).append(name)

    def closure(self, roots):
        seen, todo = set(), list(roots)
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            for group in self.packages.get(p, {}).get("deps", []):
                chosen = next((a for a in group if a in self.packages), None)
                if chosen is None:
                    chosen = next((pr for a in group for pr in self.providers.get(a, [])), None)
                if chosen:
                    todo.append(chosen)
        return seen

    def base_image(self):
        """What a debian:*-slim image holds: the Priority required and Essential packages, plus apt."""
        roots = [p for p, info in self.packages.items() if info["priority"] == "required" or info["essential"]]
        return self.closure(roots + ["apt"])


def ldd(path):
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    libs = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (not found|\S+)", line)
        if m:
            libs[m.group(1)] = m.group(2)
            continue
        m = re.match(r"\s*(/\S+) \(0x", line)
        if m:
            libs[os.path.basename(m.group(1))] = m.group(1)
    return libs


def needed(path):
    r = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)


def package_owners(paths):
    variants = {}
    for p in paths:
        v = {p, os.path.realpath(p)}
        for x in list(v):
            v.add(x[4:] if x.startswith("/usr/") else "/usr" + x)
        variants[p] = v
    every = sorted(set().union(*variants.values())) if variants else []
    out = subprocess.run(["dpkg-query", "-S"] + every, capture_output=True, text=True).stdout
    owner_of = {}
    for line in out.splitlines():
        if line.startswith("diversion "):
            continue
        owners, _, file = line.rpartition(": ")
        for owner in owners.split(", "):
            owner_of.setdefault(file.strip(), owner.split(":")[0])
    return {p: next((owner_of[x] for x in sorted(variants[p]) if x in owner_of), None) for p in paths}


def is_swift_runtime(path):
    return "/lib/swift/" in path or os.path.basename(path).startswith(("libswift", "libFoundation", "lib_Foundation"))


def library_check(label, binaries, runtime_packages, dpkg, static):
    libs, direct = {}, set()
    for b in binaries:
        found = ldd(b)
        libs.update(found)
        direct.update(needed(b))
        # With --static-swift-stdlib the Swift runtime is inside the binary, so what it links
        # becomes the binary's own: count the runtime libraries' dependencies as direct too.
        for soname, path in found.items():
            if path != "not found" and is_swift_runtime(path):
                direct.update(needed(path))
    not_found = sorted(s for s, p in libs.items() if p == "not found")
    expect(not not_found, f"{label}: every library resolves", f"not found: {not_found}")
    swift = sorted(s for s, p in libs.items() if p != "not found" and is_swift_runtime(p))
    if static:
        dynamic_swift = sorted(s for s in direct if s.startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime")))
        expect(not swift and not dynamic_swift, f"{label}: no Swift runtime library is linked dynamically (--static-swift-stdlib)",
               f"{swift or dynamic_swift}")
    system = {s: p for s, p in libs.items() if p != "not found" and not is_swift_runtime(p)}
    owners = package_owners(list(system.values()))
    explicit = set(runtime_packages)
    deps_of_explicit = dpkg.closure(explicit)
    base = dpkg.base_image()
    lines, problems, used = [], [], set()
    for soname in sorted(system):
        owner = owners[system[soname]]
        used.add(owner)
        if owner is None:
            problems.append(f"{soname} ({system[soname]}) belongs to no Debian package")
        elif soname in direct and owner not in explicit and owner != "libc6":
            problems.append(f"{soname} is linked directly; its package {owner} must be in the runtime stage's apt-get install")
        elif owner in explicit:
            lines.append(f"{soname}->{owner}")
        elif owner in deps_of_explicit:
            lines.append(f"{soname}->{owner} (dependency)")
        elif owner in base:
            lines.append(f"{soname}->{owner} (base image)")
        else:
            problems.append(f"{soname} -> {owner}: neither installed by the runtime stage nor in the base image")
    expect(not problems, f"{label}: each library's Debian package is installed by the runtime stage or in the base image: "
           + ", ".join(lines), "; ".join(problems))
    if not static:
        report("PASS" if swift else "SKIP", f"{label}: Swift runtime libraries linked dynamically by this build, "
               f"static in the image (--static-swift-stdlib): {', '.join(swift) or 'none'}")
    return used
