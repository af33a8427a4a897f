"""deploy/docker-compose.yml and docker-compose.prod.yml: the Compose schema, each file and the two merged."""
import os
import re

from .files import duration_seconds, load_yaml_documents
from .report import expect, failed, guarded, passed
from .setup import run_tool


class Missing(Exception):
    pass


def interpolate(value, env):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def replace(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2) or "", m.group(3) or ""
        current = env.get(name)
        if op in (":?", "?"):
            if (op == ":?" and not current) or current is None:
                raise Missing(f"{name}: {arg}")
            return current
        if op == ":-":
            return current if current else arg
        if op == "-":
            return current if current is not None else arg
        return current or ""
    return re.sub(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)", replace, value)


def merge(base, override, key=None):
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = merge(base[k], v, k) if k in base else v
        return out
    if isinstance(base, list) and isinstance(override, list) and key in ("ports", "expose", "dns", "dns_search", "tmpfs"):
        return base + override
    return override


def env_dict(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def check_files(setup):
    base_path = os.path.join(setup.deploy, "docker-compose.yml")
    prod_path = os.path.join(setup.deploy, "docker-compose.prod.yml")
    raw_base, = load_yaml_documents(base_path)
    raw_prod, = load_yaml_documents(prod_path)
    base = interpolate(raw_base, {})
    secrets = {"POSTGRES_PASSWORD": "s3cr3t0123"}
    prod = interpolate(raw_prod, secrets)
    try:
        interpolate(raw_prod, {})
        expect(False, "docker-compose.prod.yml refuses to start without POSTGRES_PASSWORD")
    except Missing as error:
        expect(True, f"docker-compose.prod.yml refuses to start without POSTGRES_PASSWORD ({error})")

    services = base.get("services", {})
    expect({"registry", "postgres"} <= set(services), "docker-compose.yml has services registry and postgres", f"{list(services)}")
    registry, postgres = services.get("registry", {}), services.get("postgres", {})
    build = registry.get("build", {})
    context = os.path.normpath(os.path.join(setup.deploy, build.get("context", ".")))
    dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
    expect(os.path.exists(os.path.join(context, "Package.swift")) and os.path.exists(dockerfile),
           f"registry builds with context {setup.rel(context) or '.'} (has Package.swift) and {setup.rel(dockerfile)}")
    expect(str(postgres.get("image", "")).startswith("postgres:15"), f"PostgreSQL 15 ({postgres.get('image')})")
    volumes = [str(v) for v in postgres.get("volumes", [])]
    data_volume = next((v.split(":")[0] for v in volumes if v.endswith(":/var/lib/postgresql/data")), None)
    expect(data_volume and data_volume in (base.get("volumes") or {}), f"PostgreSQL data on the named volume {data_volume}")
    test = " ".join(postgres.get("healthcheck", {}).get("test", []))
    expect("pg_isready" in test, f"PostgreSQL health check: {test}")
    depends = registry.get("depends_on", {})
    expect(isinstance(depends, dict) and depends.get("postgres", {}).get("condition") == "service_healthy",
           "registry waits for postgres: service_healthy")
    base_env = env_dict(registry)
    expect(base_env.get("PYRMUTE_REGISTRY_ENABLE_AUTH", "false").lower() in ("false", "0", "no"), "base: authentication off")
    expect(any(str(p).endswith(":8000") for p in registry.get("ports", [])), f"registry publishes 8000 ({registry.get('ports')})")
    expect(not postgres.get("ports"), "base: PostgreSQL port not published")
    graceful = float(base_env.get("PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT", 30))
    grace = duration_seconds(registry.get("stop_grace_period", "10s"))
    expect(grace > graceful, f"stop_grace_period {grace:g}s > GRACEFUL_TIMEOUT {graceful:g}s")
    pg_env = env_dict(postgres)
    url = base_env.get("PYRMUTE_REGISTRY_DATABASE_URL", "")
    want = f"postgresql://{pg_env.get('POSTGRES_USER')}:{pg_env.get('POSTGRES_PASSWORD')}@postgres:5432/{pg_env.get('POSTGRES_DB')}"
    expect(url == want, "base: DATABASE_URL names the postgres service with its user, password and database", f"{url} vs {want}")
    setup.settings_check("base: the registry's environment", base_env, ["Environment: development", "Enabled: False"])

    merged = merge(base, prod)
    services = merged["services"]
    registry, postgres = services["registry"], services.get("postgres", {})
    env = env_dict(registry)
    expect(env.get("PYRMUTE_REGISTRY_ENVIRONMENT") == "production", "base + prod: ENVIRONMENT=production")
    expect(env.get("PYRMUTE_REGISTRY_ENABLE_AUTH", "").lower() in ("true", "1", "yes"), "base + prod: authentication on")
    expect(not postgres.get("ports"), "base + prod: no published database port")
    expect(env_dict(postgres).get("POSTGRES_PASSWORD") == secrets["POSTGRES_PASSWORD"]
           and secrets["POSTGRES_PASSWORD"] in env.get("PYRMUTE_REGISTRY_DATABASE_URL", ""),
           "base + prod: the database and the registry share POSTGRES_PASSWORD")
    init = services.get("init-db", {})
    expect(init.get("command") == ["pyrmute-registry", "init-db"] and init.get("image") == registry.get("image"),
           "base + prod: an init-db service runs `pyrmute-registry init-db` with the registry's image")
    expect(env_dict(init).get("PYRMUTE_REGISTRY_DATABASE_URL") == env.get("PYRMUTE_REGISTRY_DATABASE_URL"),
           "base + prod: init-db migrates the registry's database")
    depends = registry.get("depends_on", {})
    expect(depends.get("init-db", {}).get("condition") == "service_completed_successfully"
           and depends.get("postgres", {}).get("condition") == "service_healthy",
           "base + prod: the registry starts after init-db completed (and postgres is healthy)")
    setup.settings_check("base + prod: the registry's environment", env, ["Environment: production", "Enabled: True"])


def run(setup):
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        rc, out = run_tool([setup.tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
                            os.path.join(setup.deploy, name)])
        if rc == 0:
            passed(f"deploy/{name} matches the Compose specification's schema")
        else:
            failed(f"deploy/{name} against the Compose schema: {out}")
    guarded("compose", check_files, setup)
