"""The Kubernetes manifests of both shapes (deploy/k8s/monolith, deploy/k8s/split): every file
validates offline against the API schemas of a pinned Kubernetes version with
``kubernetes-validate --strict`` (which rejects misspelt fields), and the invariants that matter
hold — a manifest that validates but is wrong still fails here: probes, resources, non-root,
rolling updates, the grace period against gunicorn's, the gateway's routes against the plugins'
URL rules, ERP_PORTS against the services, the CronJobs against the plugins' periodic jobs,
every setting name against what the application reads. Also the worker's probe command."""
from __future__ import annotations

import functools
import os
import re
import socket
import subprocess  # nosec B404 - runs the validator and the probe with fixed arguments
import sys
from pathlib import Path

import pytest
from tests_support import gunicorn_settings
import yaml

from erp import config as erp_config
from erp import create_app
from erp.jobs import probe
from erp.plugins import discover, resolve

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
SHAPES = ("monolith", "split")
# A release kubernetes-validate ships schemas for; the manifests use nothing newer.
KUBERNETES_VERSION = "1.34.0"
NAMESPACES = {"monolith": "waterworks", "split": "waterworks-split"}
IMAGE = "waterworks-erp"
GUNICORN = gunicorn_settings()


def _files(shape: str | None = None) -> list[Path]:
    return sorted((K8S / shape if shape else K8S).rglob("*.yaml"))


@functools.lru_cache(maxsize=None)
def _documents(path: Path) -> list[dict]:
    """The resources in ``path`` (read once; the tests only read them)."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _resources(shape: str) -> list[dict]:
    return [doc for path in _files(shape) for doc in _documents(path)]


def _of_kind(shape: str, kind: str) -> list[dict]:
    return [doc for doc in _resources(shape) if doc["kind"] == kind]


def _pod_spec(resource: dict) -> dict:
    if resource["kind"] == "CronJob":
        return resource["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return resource["spec"]["template"]["spec"]


def _pod_labels(resource: dict) -> dict:
    template = resource["spec"]["jobTemplate"]["spec"]["template"] if resource["kind"] == "CronJob" else resource["spec"]["template"]
    return template["metadata"]["labels"]


def _containers(resource: dict) -> list[dict]:
    spec = _pod_spec(resource)
    return spec.get("initContainers", []) + spec["containers"]


def _is_erp(container: dict) -> bool:
    return container["image"].split(":")[0].rsplit("/", 1)[-1] == IMAGE


def _selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def _config_maps(shape: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc.get("data", {}) for doc in _of_kind(shape, "ConfigMap")}


def _environment(shape: str, container: dict) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom first, then env in order,
    ``$(NAME)`` expanded from what is defined before; values from Secrets stand as <secret:key>."""
    maps = _config_maps(shape)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                                       lambda m: env.get(m.group(1), m.group(0)), item["value"])
        else:
            env[item["name"]] = f"<secret:{item['valueFrom']['secretKeyRef']['key']}>"
    return env


def _workloads(shape: str) -> list[dict]:
    return [doc for doc in _resources(shape) if doc["kind"] in ("Deployment", "Job", "CronJob")]


def _web_deployments(shape: str) -> list[dict]:
    return [d for d in _of_kind(shape, "Deployment") if any(_is_erp(c) and "command" not in c for c in _containers(d))]


def _worker_deployments(shape: str) -> list[dict]:
    return [d for d in _of_kind(shape, "Deployment") if any(_is_erp(c) and c.get("command", [])[:3] == ["flask", "erp", "worker"]
                                                             for c in _containers(d))]


# --- offline schema validation ------------------------------------------------------------------

def _validate(paths: list[Path]) -> list[str]:
    """What ``kubernetes-validate --strict`` finds wrong in ``paths``, one line each. A resource
    of a kind it has no schema for is only a warning to the tool: here it is a failure, and so is
    a resource it did not report as passed."""
    result = subprocess.run(  # nosec B603 - fixed arguments
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", KUBERNETES_VERSION, *map(str, paths)],
        capture_output=True, text=True, timeout=300)
    lines = (result.stdout + result.stderr).splitlines()
    problems = [line for line in lines if not line.startswith("INFO ")]
    expected = sum(len(_documents(path)) for path in paths)
    passed = sum(1 for line in lines if line.startswith("INFO ") and " passed for resource " in line)
    if passed != expected:
        problems.append(f"{passed} of {expected} resources passed")
    if result.returncode != 0:
        problems.append(f"exit status {result.returncode}")
    return problems


def test_every_manifest_of_both_shapes_validates_offline_strictly():
    for shape in SHAPES:
        assert _files(shape), shape
    assert _validate(_files()) == []


@pytest.mark.parametrize("change, expected", [
    (lambda text: text.replace("readinessProbe:", "readinesProbe:", 1), "readinesProbe"),  # misspelt field
    (lambda text: text.replace("replicas: 2", "replicas: two", 1), "replicas"),  # wrong type
    (lambda text: text.replace("kind: Deployment", "kind: Deploymnet", 1), "Deploymnet"),  # unknown kind: only a warning to the tool
])
def test_the_validation_fails_on_a_broken_manifest(tmp_path, change, expected):
    broken = tmp_path / "web.yaml"
    original = (K8S / "monolith" / "web.yaml").read_text()
    broken.write_text(change(original))
    assert broken.read_text() != original
    problems = _validate([broken])
    assert problems and expected in "\n".join(problems)


# --- invariants ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_every_resource_is_in_the_shapes_namespace_which_enforces_the_restricted_pod_security(shape):
    namespaces = _of_kind(shape, "Namespace")
    assert [n["metadata"]["name"] for n in namespaces] == [NAMESPACES[shape]]
    assert namespaces[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in _resources(shape):
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == NAMESPACES[shape], doc["metadata"]["name"]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_pod_runs_as_non_root_without_privileges_on_a_read_only_root(shape):
    for workload in _workloads(shape):
        name = f"{workload['kind']} {workload['metadata']['name']}"
        spec = _pod_spec(workload)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, name
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["enableServiceLinks"] is False, name  # no RATES_PORT=tcp://… beside the settings
        tmp = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in _containers(workload):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert "add" not in security["capabilities"], name
            if _is_erp(container):
                assert pod["runAsUser"] == 10001, name  # the image's user (Dockerfile)
                assert any(m["mountPath"] == "/tmp" and m["name"] in tmp for m in container["volumeMounts"]), name


@pytest.mark.parametrize("shape", SHAPES)
def test_every_deployment_has_both_probes_requests_and_limits_and_rolls_without_losing_a_pod(shape):
    deployments = _of_kind(shape, "Deployment")
    assert deployments
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        strategy = deployment["spec"]["strategy"]
        if name != "redis":  # one queue pod: replaced, not rolled (its messages are only nudges)
            assert strategy["type"] == "RollingUpdate" and strategy["rollingUpdate"]["maxUnavailable"] == 0, name
        for container in _containers(deployment):
            assert container.get("livenessProbe") and container.get("readinessProbe"), name
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) >= {"cpu", "memory"}, (name, kind)


@pytest.mark.parametrize("shape", SHAPES)
def test_the_web_probes_healthz_and_readyz_and_its_grace_period_covers_the_prestop_sleep_and_gunicorns(shape):
    webs = _web_deployments(shape)
    assert len(webs) == (1 if shape == "monolith" else 5)
    for web in webs:
        name = web["metadata"]["name"]
        [container] = _containers(web)
        port = GUNICORN["bind"].rsplit(":", 1)[1]
        assert [(p["name"], str(p["containerPort"])) for p in container["ports"]] == [("http", port)], name
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}, name
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}, name
        command = container["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep", name
        pre_stop = int(command[1])
        assert 0 < pre_stop <= 10, name
        grace = _pod_spec(web)["terminationGracePeriodSeconds"]
        assert pre_stop + GUNICORN["graceful_timeout"] < grace <= pre_stop + GUNICORN["graceful_timeout"] + 10, name


@pytest.mark.parametrize("shape", SHAPES)
def test_each_web_has_an_autoscaler_on_cpu_and_each_deployment_of_the_app_a_disruption_budget(shape):
    autoscalers = _of_kind(shape, "HorizontalPodAutoscaler")
    budgets = _of_kind(shape, "PodDisruptionBudget")
    for web in _web_deployments(shape):
        name = web["metadata"]["name"]
        [hpa] = [h for h in autoscalers if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]
        assert 2 <= hpa["spec"]["minReplicas"] <= web["spec"]["replicas"] < hpa["spec"]["maxReplicas"] or \
            2 <= hpa["spec"]["minReplicas"] == web["spec"]["replicas"] < hpa["spec"]["maxReplicas"], name
        [budget] = [b for b in budgets if _selects(b["spec"]["selector"]["matchLabels"], _pod_labels(web))]
        assert budget["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], name  # a drain can still move a pod
        [spread] = _pod_spec(web)["topologySpreadConstraints"]  # replicas on different nodes where possible
        assert spread["topologyKey"] == "kubernetes.io/hostname" and _selects(spread["labelSelector"]["matchLabels"], _pod_labels(web))
    for worker in _worker_deployments(shape):
        [budget] = [b for b in budgets if _selects(b["spec"]["selector"]["matchLabels"], _pod_labels(worker))]
        assert budget["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("shape", SHAPES)
def test_services_select_pods_and_ports_that_exist(shape):
    deployments = _of_kind(shape, "Deployment")
    for service in _of_kind(shape, "Service"):
        [target] = [d for d in deployments if _selects(service["spec"]["selector"], _pod_labels(d))]
        ports = {p["name"] for c in _containers(target) for p in c.get("ports", [])}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports, service["metadata"]["name"]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_reference_resolves_and_every_setting_is_one_the_application_reads(shape):
    """ConfigMaps, Secret keys and volume claims that exist; every $(NAME) defined before it is
    used (the kubelet would leave it as text in DATABASE_URL); no misspelt setting name."""
    maps = _config_maps(shape)
    [secret] = _of_kind(shape, "Secret")
    assert set(secret["stringData"].values()) == {""}  # a template: no secret, and unfilled it stops the pods
    claims = {c["metadata"]["name"] for c in _of_kind(shape, "PersistentVolumeClaim")}
    source = "\n".join(p.read_text() for p in [*(ROOT / "erp").rglob("*.py"), ROOT / "deploy" / "gunicorn.conf.py"])
    read_by_gunicorn = {"XDG_RUNTIME_DIR"}  # where gunicorn (>= 25) puts its control socket
    for workload in _workloads(shape):
        name = workload["metadata"]["name"]
        for volume in _pod_spec(workload)["volumes"]:
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, name
        for container in filter(_is_erp, _containers(workload)):
            for source_ref in container["envFrom"]:
                assert source_ref["configMapRef"]["name"] in maps, name
            for item in container.get("env", []):
                if "valueFrom" in item:
                    ref = item["valueFrom"]["secretKeyRef"]
                    assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret["stringData"], (name, ref)
            env = _environment(shape, container)
            assert not [value for value in env.values() if "$(" in value], (name, env)
            assert env["DATABASE_URL"].startswith("mysql+pymysql://") and env["DATABASE_URL"].endswith("?charset=utf8mb4")
            for variable in env:
                if variable.startswith("ERP_DB_"):
                    continue  # the parts DATABASE_URL is put together from
                if re.fullmatch(r"DATABASE_URL_[A-Z]+", variable):
                    assert variable[len("DATABASE_URL_"):].lower() in {m.name for m in discover()}, (name, variable)
                    continue
                assert f'"{variable}"' in source or variable in read_by_gunicorn, (name, variable)


def test_the_monolith_loads_every_plugin_on_redis_behind_one_https_proxy():
    [config] = _config_maps("monolith").values()
    assert sorted(erp_config._list(config["ERP_PLUGINS"])) == sorted(m.name for m in discover())
    assert config["ERP_QUEUE_URL"].startswith("redis://")
    assert config["ERP_SECURE_COOKIES"] == "1" and config["ERP_TRUSTED_PROXIES"] == "1"
    [ingress] = _of_kind("monolith", "Ingress")
    [rule] = ingress["spec"]["rules"]
    assert [(p["path"], p["backend"]["service"]["name"]) for p in rule["http"]["paths"]] == [("/", "erp-web")]


def _service_of(shape: str, host: str) -> tuple[dict, dict]:
    """The Service named ``host`` and the web Deployment it selects."""
    [service] = [s for s in _of_kind(shape, "Service") if s["metadata"]["name"] == host]
    [web] = [d for d in _web_deployments(shape) if _selects(service["spec"]["selector"], _pod_labels(d))]
    return service, web


def test_split_each_service_loads_its_plugin_and_erp_ports_names_every_other_plugins_service():
    plugins = {m.name for m in discover()}
    queues = set()
    for web in _web_deployments("split"):
        [container] = _containers(web)
        env = _environment("split", container)
        loaded = set(erp_config._list(env["ERP_PLUGINS"]) if env["ERP_PLUGINS"] != "none" else [])
        assert len(loaded) <= 1 and loaded <= plugins
        routes = erp_config._ports(env["ERP_PORTS"])
        assert set(routes) == plugins - loaded, web["metadata"]["name"]
        for plugin, target in routes.items():
            match = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", target)
            assert match, target
            service, callee = _service_of("split", match.group(1))
            assert int(match.group(2)) in [p["port"] for p in service["spec"]["ports"]]
            assert _environment("split", _containers(callee)[0])["ERP_PLUGINS"] == plugin
        if loaded:
            [plugin] = loaded
            assert env[f"DATABASE_URL_{plugin.upper()}"].split("/")[-1] == f"erp_{plugin}?charset=utf8mb4"
        assert env["ERP_SERVICE_KEY"].startswith("<secret:")
        queues.add((env["ERP_QUEUE_URL"], env["ERP_QUEUE_NAME"]))
        assert env["ERP_SECURE_COOKIES"] == "1" and env["ERP_TRUSTED_PROXIES"] == "1"
    assert len(queues) == len(_web_deployments("split"))  # each service's jobs on its own queue


def _route(paths: list[tuple[str, str]], url: str) -> str:
    """The Service an Ingress with Prefix ``paths`` sends ``url`` to: the longest prefix that
    matches whole path segments."""
    matching = [(prefix, service) for prefix, service in paths
                if prefix == "/" or url == prefix or url.startswith(prefix.rstrip("/") + "/")]
    return max(matching, key=lambda item: len(item[0]))[1]


def test_split_gateway_sends_every_page_and_api_of_a_plugin_to_its_service_and_the_rest_to_the_core(tmp_path):
    [ingress] = _of_kind("split", "Ingress")
    [rule] = ingress["spec"]["rules"]
    assert {p["pathType"] for p in rule["http"]["paths"]} == {"Prefix"}
    paths = [(p["path"], p["backend"]["service"]["name"]) for p in rule["http"]["paths"]]
    manifests = discover()
    assert {path for path, _ in paths} == {"/"} | {f"/{m.name}" for m in manifests} | {f"/api/{m.name}" for m in manifests}
    owner = {resolve(target).name: m.name for m in manifests for target in m.blueprints}
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'erp.sqlite'}", "SECRET_KEY": "x",
                      "ERP_STORAGE_DIR": str(tmp_path)})
    checked = set()
    for url_rule in app.url_map.iter_rules():
        blueprint = url_rule.endpoint.rsplit(".", 1)[0] if "." in url_rule.endpoint else None
        plugin = owner.get(blueprint)
        service, web = _service_of("split", _route(paths, url_rule.rule))
        loaded = _environment("split", _containers(web)[0])["ERP_PLUGINS"]
        assert loaded == (plugin or "none"), (url_rule.rule, url_rule.endpoint, service["metadata"]["name"])
        checked.add(plugin)
    assert checked == {None} | {m.name for m in manifests}


@pytest.mark.parametrize("shape", SHAPES)
def test_workers_leave_the_periodic_jobs_to_cronjobs_that_queue_each_of_them_on_its_schedule(shape):
    workers = _worker_deployments(shape)
    assert workers
    for worker in workers:
        [container] = _containers(worker)
        assert container["command"] == ["flask", "erp", "worker", "--no-periodic"]
        assert container["livenessProbe"]["exec"]["command"] == ["python", "-m", "erp.jobs.probe"]
    cronjobs = _of_kind(shape, "CronJob")
    schedules = {}
    for manifest in discover():
        if manifest.tasks:
            for periodic in resolve(manifest.tasks).schedules:
                schedules[periodic.kind] = (manifest.name, periodic.cron)
    assert schedules
    worker_plugins = set()
    for worker in workers:
        loaded = _environment(shape, _containers(worker)[0])["ERP_PLUGINS"]
        worker_plugins |= set(erp_config._list(loaded) or [])
    for kind, (plugin, cron) in schedules.items():
        [job] = [c for c in cronjobs if _containers(c)[0]["command"] == ["flask", "erp", "enqueue", kind, "--key", f"periodic:{kind}"]]
        assert job["spec"]["schedule"] == cron, kind
        assert job["spec"]["timeZone"] == "Asia/Seoul" and job["spec"]["concurrencyPolicy"] == "Forbid"
        env = _environment(shape, _containers(job)[0])
        assert plugin in erp_config._list(env["ERP_PLUGINS"]), kind  # a process that knows the job kind
        assert plugin in worker_plugins, kind  # and a worker that takes it
        [worker] = [w for w in workers if plugin in erp_config._list(_environment(shape, _containers(w)[0])["ERP_PLUGINS"])]
        worker_env = _environment(shape, _containers(worker)[0])
        assert (env["ERP_QUEUE_URL"], env["ERP_QUEUE_NAME"]) == (worker_env["ERP_QUEUE_URL"], worker_env["ERP_QUEUE_NAME"]), kind
    reapers = [c for c in cronjobs if _containers(c)[0]["command"] == ["flask", "erp", "reap"]]
    assert {frozenset(erp_config._list(_environment(shape, _containers(r)[0])["ERP_PLUGINS"])) for r in reapers} == \
        {frozenset(erp_config._list(_environment(shape, _containers(w)[0])["ERP_PLUGINS"])) for w in workers}
    assert {r["spec"]["schedule"] for r in reapers} == {"* * * * *"}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_core_s_periodic_jobs_have_cronjobs_on_their_schedules(shape):
    """The core's own periodic jobs (the operations clean-up, the service checks, the sessions'
    clean-up, the audit trail's anchors and nightly verification) run from CronJobs too: the
    workers run --no-periodic."""
    from erp.audit.tasks import jobs as audit_jobs
    from erp.auth.tasks import jobs as auth_jobs
    from erp.ops.tasks import jobs as ops_jobs

    schedules = [*ops_jobs.schedules, *auth_jobs.schedules, *audit_jobs.schedules]
    commands = {"ops.checks": ["flask", "ops", "check"]}
    commands.update({kind: ["flask", "erp", "run-job", kind]
                     for kind in ("ops.cleanup", "auth.cleanup", "audit.anchor", "audit.verify")})
    cronjobs = _of_kind(shape, "CronJob")
    assert {p.kind for p in schedules} == set(commands)
    for periodic in schedules:
        [job] = [c for c in cronjobs if _containers(c)[0]["command"] == commands[periodic.kind]]
        assert job["spec"]["schedule"] == periodic.cron and job["spec"]["timeZone"] == "Asia/Seoul", periodic.kind
        if periodic.kind.startswith("audit."):  # the anchors and the kept verification are files of the storage volume
            mounts = {m["name"]: m["mountPath"] for m in _containers(job)[0]["volumeMounts"]}
            assert mounts.get("storage") == "/var/lib/erp/storage", periodic.kind


@pytest.mark.parametrize("shape", SHAPES)
def test_the_migration_job_upgrades_then_sets_up_every_database(shape):
    [job] = _of_kind(shape, "Job")
    spec = _pod_spec(job)
    assert [c["command"] for c in spec["initContainers"]] == [["flask", "db", "upgrade"]]
    assert [c["command"] for c in spec["containers"]] == [["flask", "erp", "setup"]]
    assert spec["restartPolicy"] == "Never"
    env = _environment(shape, spec["containers"][0])
    assert sorted(erp_config._list(env.get("ERP_PLUGINS"))) == sorted(m.name for m in discover())
    if shape == "split":  # one process, each plugin on its service's database
        for manifest in discover():
            assert env[f"DATABASE_URL_{manifest.name.upper()}"].split("/")[-1] == f"erp_{manifest.name}?charset=utf8mb4"
    # `kubectl apply -f deploy/k8s/<shape>/` (not recursive) applies neither the Job nor the Secret template
    for path in _files(shape):
        if any(doc["kind"] in ("Job", "Secret", "Namespace", "ConfigMap") for doc in _documents(path)):
            assert path.parent == K8S / shape / "setup", path


# --- the worker's probe ----------------------------------------------------------------------

def test_the_worker_probe_answers_ok_when_the_database_and_the_queue_answer(database_url, tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")},
           "DATABASE_URL": database_url, "ERP_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
           "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "erp.jobs.probe"], env=env, capture_output=True, text=True,  # nosec B603
                            timeout=60)
    assert (result.returncode, result.stderr) == (0, "")


def test_the_worker_probe_names_what_does_not_answer_without_the_password(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    found = probe.problems({"DATABASE_URL": f"sqlite:///{tmp_path / 'erp.sqlite'}",
                            "DATABASE_URL_RATES": f"mysql+pymysql://erp_rates:s3cret-pw@127.0.0.1:{port}/erp_rates",
                            "ERP_QUEUE_URL": f"redis://:q-s3cret-pw@127.0.0.1:{port}/0"})
    assert len(found) == 2
    assert found[0].startswith(f"job queue redis://127.0.0.1:{port}/0: ConnectionError")
    assert found[1].startswith(f"DATABASE_URL_RATES (mysql+pymysql://erp_rates:***@127.0.0.1:{port}/erp_rates): OperationalError")
    assert "s3cret" not in "\n".join(found)
    assert probe.problems({}) == ["ERP_QUEUE_URL is not set", "DATABASE_URL is not set"]
