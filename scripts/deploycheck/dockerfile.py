"""A Dockerfile read the way the checks need it: instructions, stages, apt installs, HEALTHCHECK."""
import json
import re


def dockerfile_instructions(path):
    out, buf, start = [], [], None
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s.startswith("#"):
                continue
            if start is None:
                start = number
            if s.endswith("\\"):
                buf.append(s[:-1].strip())
                continue
            buf.append(s)
            text = " ".join(buf)
            buf = []
            keyword, _, rest = text.partition(" ")
            out.append((keyword.upper(), rest.strip(), start))
            start = None
    return out


def dockerfile_stages(path):
    args, stages = {}, []
    for keyword, rest, number in dockerfile_instructions(path):
        if keyword == "ARG" and not stages:
            name, _, value = rest.partition("=")
            args[name.strip()] = value.strip().strip('"')
        elif keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append({"image": image, "name": name, "instr": []})
        elif stages:
            stages[-1]["instr"].append((keyword, rest, number))
    return stages


def apt_installs(run):
    packages = []
    for segment in re.split(r"&&|;|\|\|", run):
        words = segment.split()
        if "apt-get" in words and "install" in words:
            for w in words[words.index("install") + 1:]:
                if not w.startswith("-"):
                    packages.append(w.split("=")[0])
    return packages


def healthcheck_argv(stage):
    for keyword, rest, _ in stage["instr"]:
        if keyword == "HEALTHCHECK":
            m = re.search(r"\bCMD\s+(\[.*\])\s*$", rest)
            return json.loads(m.group(1)) if m else None
    return None
