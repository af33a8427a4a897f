"""The files of deploy/systemd read as systemd reads them: the unit's sections, the env file."""
import os
import re


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
