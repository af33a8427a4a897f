"""deploy/k8s: Kubernetes schemas, cross-references between the objects, probes against a live server."""
import math
import os
import re
import shutil

from .files import load_yaml_documents
from .report import expect, failed, guarded, passed, skipped
from .setup import http_get, run_tool, stop_process


def cpu_value(text):
    text = str(text)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def manifest_files(setup):
    folder = os.path.join(setup.deploy, "k8s")
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".yaml")]


def objects_by_kind(setup):
    """{kind: [(file name, object)]} over every document of deploy/k8s/*.yaml."""
    by_kind = {}
    for path in manifest_files(setup):
        for doc in load_yaml_documents(path):
            by_kind.setdefault(doc.get("kind"), []).append((os.path.basename(path), doc))
    return by_kind


def check_objects(setup):
    by_kind = objects_by_kind(setup)
    for kind in ("Deployment", "Service", "Secret", "ConfigMap", "PodDisruptionBudget", "Job", "Kustomization"):
        expect(kind in by_kind, f"deploy/k8s has a {kind} ({', '.join(n for n, _ in by_kind.get(kind, []))})")
    if "Deployment" not in by_kind:
        return
    _, deployment = by_kind["Deployment"][0]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"]["labels"]
    container = pod["containers"][0]
    expect(spec.get("replicas") == 3, f"Deployment: 3 replicas ({spec.get('replicas')})")
    expect(matches(spec["selector"]["matchLabels"], pod_labels), "Deployment selector matches its pods")

    configmaps = {d["metadata"]["name"]: d.get("data", {}) for _, d in by_kind.get("ConfigMap", [])}
    secrets = {d["metadata"]["name"]: {**d.get("data", {}), **d.get("stringData", {})} for _, d in by_kind.get("Secret", [])}
    limits = container.get("resources", {}).get("limits", {})
    requests = container.get("resources", {}).get("requests", {})
    expect({"cpu", "memory"} <= set(limits) and {"cpu", "memory"} <= set(requests),
           f"resources: requests {requests}, limits {limits}")

    def resolve_env(c):
        env, problems = {}, []
        for source in c.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            if ref is not None:
                if ref in configmaps:
                    env.update({k: str(v) for k, v in configmaps[ref].items()})
                else:
                    problems.append(f"ConfigMap {ref} missing")
        for item in c.get("env", []):
            if "value" in item:
                env[item["name"]] = str(item["value"])
            elif "secretKeyRef" in item.get("valueFrom", {}):
                ref = item["valueFrom"]["secretKeyRef"]
                if ref["key"] in secrets.get(ref["name"], {}):
                    env[item["name"]] = str(secrets[ref["name"]][ref["key"]])
                else:
                    problems.append(f"Secret {ref['name']} key {ref['key']} missing")
            elif "resourceFieldRef" in item.get("valueFrom", {}):
                ref = item["valueFrom"]["resourceFieldRef"]
                if ref.get("resource") == "limits.cpu" and ref.get("containerName", c["name"]) == c["name"]:
                    divisor = cpu_value(ref.get("divisor", "1"))
                    env[item["name"]] = str(math.ceil(cpu_value(c["resources"]["limits"]["cpu"]) / divisor))
                else:
                    problems.append(f"{item['name']}: unsupported resourceFieldRef {ref}")
        return env, problems

    env, problems = resolve_env(container)
    expect(not problems, "Deployment env: every ConfigMap and Secret reference exists in deploy/k8s", "; ".join(problems))
    db_ref = next((i["valueFrom"]["secretKeyRef"] for i in container.get("env", [])
                   if i["name"] == "PYRMUTE_REGISTRY_DATABASE_URL" and "secretKeyRef" in i.get("valueFrom", {})), None)
    expect(db_ref, f"DATABASE_URL from a Secret ({db_ref})")
    expect(env.get("PYRMUTE_REGISTRY_ENVIRONMENT") == "production", "PYRMUTE_REGISTRY_ENVIRONMENT=production")
    expect(env.get("PYRMUTE_REGISTRY_ENABLE_AUTH") == "true", "PYRMUTE_REGISTRY_ENABLE_AUTH=true")
    cpu_limit = math.ceil(cpu_value(limits.get("cpu", "0")))
    expect(env.get("PYRMUTE_REGISTRY_WORKERS") == str(cpu_limit),
           f"PYRMUTE_REGISTRY_WORKERS ({env.get('PYRMUTE_REGISTRY_WORKERS')}) = CPU limit ({limits.get('cpu')})")
    graceful = float(env.get("PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT", 30))
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pause = float(pre_stop[1]) if len(pre_stop) == 2 and pre_stop[0] == "sleep" else 0
    grace = pod.get("terminationGracePeriodSeconds", 30)
    expect(grace > graceful + pause, f"terminationGracePeriodSeconds {grace} > preStop {pause:g} s + GRACEFUL_TIMEOUT {graceful:g} s")

    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    expect(ports.get("http") == int(env.get("PYRMUTE_REGISTRY_PORT", 8000))
           and ports.get("supervisor") == int(env.get("PYRMUTE_REGISTRY_SUPERVISOR_PORT", 8001)),
           f"container ports {ports} = PORT / SUPERVISOR_PORT settings")
    probes = {k: container.get(k, {}).get("httpGet", {}) for k in ("livenessProbe", "readinessProbe", "startupProbe")}
    expect(probes["livenessProbe"].get("path") == "/health/live",
           f"livenessProbe: GET /health/live on port {probes['livenessProbe'].get('port')}")
    expect(probes["readinessProbe"].get("path") == "/health/ready" and probes["readinessProbe"].get("port") in ("http", ports.get("http")),
           "readinessProbe: GET /health/ready on the API port")
    expect(all(p.get("port") in ports or p.get("port") in ports.values() for p in probes.values() if p),
           "every probe names a declared container port")

    image = container.get("image")
    user = pod.get("securityContext", {}).get("runAsUser")
    expect(user == 1000, f"pods run as user 1000 (the image's USER) ({user})")
    pod_specs = [("Deployment", pod)] + [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for _, d in by_kind.get("Job", [])]
    expect(all(p.get("enableServiceLinks") is False for _, p in pod_specs),
           "enableServiceLinks: false on every pod (else Kubernetes injects PYRMUTE_REGISTRY_PORT=tcp://... for the Service)")
    setup.settings_check("Deployment env (ConfigMap, Secret template, WORKERS from the CPU limit)", env,
                   ["Environment: production", f"Workers: {cpu_limit}", "Enabled: True"])

    jobs = {d["metadata"]["name"]: d for _, d in by_kind.get("Job", [])}
    commands = {n: d["spec"]["template"]["spec"]["containers"][0].get("command", []) for n, d in jobs.items()}
    init_db = [n for n, c in commands.items() if c[:2] == ["pyrmute-registry", "init-db"]]
    admin = [n for n, c in commands.items() if c[:2] == ["pyrmute-registry", "create-admin-key"] and "--name" in c]
    expect(init_db, f"a migration Job runs `pyrmute-registry init-db` ({init_db})")
    expect(admin, f"an admin-key Job runs `pyrmute-registry create-admin-key --name …` ({admin})")
    for name, job in jobs.items():
        jpod = job["spec"]["template"]["spec"]
        jc = jpod["containers"][0]
        jenv, jproblems = resolve_env(jc)
        expect(jc.get("image") == image and not jproblems and
               jenv.get("PYRMUTE_REGISTRY_DATABASE_URL") == env.get("PYRMUTE_REGISTRY_DATABASE_URL")
               and jpod.get("securityContext", {}).get("runAsUser") == user,
               f"Job {name}: the Deployment's image, database Secret and user", "; ".join(jproblems))
        setup.settings_check(f"Job {name} env", jenv)

    job_labels = {n: d["spec"]["template"]["metadata"].get("labels", {}) for n, d in jobs.items()}
    for kind in ("Service", "PodDisruptionBudget"):
        for fname, obj in by_kind.get(kind, []):
            selector = obj["spec"]["selector"]
            selector = selector.get("matchLabels", selector) if kind == "PodDisruptionBudget" else selector
            caught = [n for n, labels in job_labels.items() if matches(selector, labels)]
            expect(matches(selector, pod_labels) and not caught,
                   f"{kind} {obj['metadata']['name']} selects the Deployment's pods and no Job's", f"also selects {caught}")
    for _, service in by_kind.get("Service", []):
        targets = [p.get("targetPort") for p in service["spec"]["ports"]]
        expect(all(t in ports or t in ports.values() for t in targets), f"Service targetPorts {targets} exist on the container")
    for _, pdb in by_kind.get("PodDisruptionBudget", []):
        s = pdb["spec"]
        ok = s.get("maxUnavailable") in (1, "1") or (isinstance(s.get("minAvailable"), int) and s["minAvailable"] < spec["replicas"])
        expect(ok, f"PodDisruptionBudget lets one pod go at a time ({ {k: v for k, v in s.items() if k != 'selector'} })")

    kustomization = by_kind.get("Kustomization", [(None, {})])[0][1]
    listed = kustomization.get("resources", [])
    expect(all(os.path.exists(os.path.join(setup.deploy, "k8s", r)) for r in listed)
           and not any("secret" in r or "job" in r for r in listed)
           and {"deployment.yaml", "service.yaml", "pdb.yaml", "configmap.yaml"} <= set(listed),
           f"kustomization.yaml lists the long-running objects, not the Secret template or the Jobs ({listed})")


def check_probes(setup, server_port, supervisor_port):
    by_kind = objects_by_kind(setup)
    _, deployment = by_kind["Deployment"][0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    local = {8000: int(server_port), 8001: int(supervisor_port)}
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = container.get(kind, {}).get("httpGet")
        if not probe:
            continue
        port = ports.get(probe["port"], probe["port"])
        status, body = http_get(f"http://127.0.0.1:{local.get(port, port)}{probe['path']}")
        expect(status == 200, f"{kind} GET {probe['path']} on port {probe['port']} ({port}) answers 200 from a live server",
               f"status {status}: {body[:200]!r}")


def run(setup):
    files = [f for f in manifest_files(setup) if os.path.basename(f) != "kustomization.yaml"]
    for version in ("1.29.0", "1.37.0"):
        rc, out = run_tool([setup.tool("kubernetes-validate"), "--strict", "--quiet", "-k", version] + files)
        if rc == 0:
            passed(f"deploy/k8s/*.yaml valid (strict) against the Kubernetes {version} schemas")
        else:
            failed(f"deploy/k8s against the Kubernetes {version} schemas: {out}")
    if shutil.which("kubectl"):
        rc, out = run_tool(["kubectl", "kustomize", os.path.join(setup.deploy, "k8s")])
        kinds = re.findall(r"^kind:", out, re.M)
        if rc == 0 and re.search(r"^kind: Deployment", out, re.M):
            passed(f"kubectl kustomize deploy/k8s builds ({len(kinds)} objects)")
        else:
            failed(f"kubectl kustomize deploy/k8s: {out}")
    else:
        skipped("kubectl is not installed: kustomization.yaml checked by the script only")
    guarded("k8s", check_objects, setup)
    server = setup.start_server("k8s-server", PYRMUTE_REGISTRY_ENABLE_AUTH="true")
    if server:
        guarded("k8s-probes", check_probes, setup, server.port, server.supervisor_port)
        stop_process(server.process)
    else:
        failed("a server for the probes did not start")
