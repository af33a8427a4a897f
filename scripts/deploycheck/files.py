"""Reading the deploy files: YAML documents and systemd/Compose durations."""
import re


def load_yaml_documents(path):
    import yaml  # apt python3-yaml
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def duration_seconds(text):
    """systemd/Compose durations: 45, 45s, 1min, 1m30s, 500ms."""
    text = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    total, rest = 0.0, text.replace(" ", "")
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|sec|min|s|m|h)", rest):
        total += float(number) * units[unit]
    return total
