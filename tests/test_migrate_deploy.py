"""deploy/kubernetes/: the converter Deployment (gRPC probes on the health service, resources,
non-root), the headless Service for client-side round_robin, and the Job running ``migrate``
against it — checked with the Kubernetes OpenAPI schemas (kubernetes-validate, offline) and
against this project's own command line and server settings."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_tool

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.37.0"


def _documents() -> dict[str, dict]:
    found = {}
    for path in sorted(DEPLOY.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found[document["kind"]] = document
    return found


def _validator():
    try:
        import kubernetes_validate
    except ImportError:
        kubernetes_validate = None
    require_tool("kubernetes-validate", kubernetes_validate is not None, "pip install kubernetes-validate")
    return kubernetes_validate


@pytest.mark.oracle
def test_manifests_follow_the_kubernetes_schemas():
    validator = _validator()
    documents = _documents()
    assert set(documents) == {"Deployment", "Service", "Job"}
    for document in documents.values():
        validator.validate(document, KUBERNETES_VERSION, strict=True)
    broken = copy.deepcopy(documents["Deployment"])
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"]["prot"] = 50051
    with pytest.raises(validator.ValidationError):  # the check can fail: an unknown field is caught
        validator.validate(broken, KUBERNETES_VERSION, strict=True)


def _container(document: dict) -> dict:
    (container,) = document["spec"]["template"]["spec"]["containers"]
    return container


def test_deployment_probes_resources_and_user():
    documents = _documents()
    deployment = documents["Deployment"]
    container = _container(deployment)
    port = next(p["containerPort"] for p in container["ports"] if p["name"] == "grpc")
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["FLOWZAP_ADDRESS"].endswith(f":{port}")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == port  # the gRPC health service, not a TCP check
    resources = container["resources"]
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert int(env["FLOWZAP_WORKERS"]) <= int(resources["limits"]["cpu"])
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert pod["terminationGracePeriodSeconds"] > float(env["FLOWZAP_GRACE_SECONDS"])
    # the settings are ones the server accepts
    from server.config import parse

    config = parse(["--address", env["FLOWZAP_ADDRESS"], "--workers", env["FLOWZAP_WORKERS"],
                    "--grace", env["FLOWZAP_GRACE_SECONDS"]])
    assert config.port == port


def test_headless_service_and_the_job_that_migrates_through_it():
    documents = _documents()
    service, job, deployment = documents["Service"], documents["Job"], documents["Deployment"]
    assert service["spec"]["clusterIP"] == "None"  # DNS answers every pod: client-side balancing
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    container = _container(job)
    args = container["args"]
    name, namespace = service["metadata"]["name"], service["metadata"]["namespace"]
    target = args[args.index("--server") + 1]
    assert target == f"dns:///{name}.{namespace}.svc.cluster.local:{service['spec']['ports'][0]['port']}"
    assert args[0] == "migrate" and "--resume" in args
    assert container["image"] == _container(deployment)["image"]
    assert job["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]
    failing = job["spec"]["podFailurePolicy"]["rules"][0]["onExitCodes"]["values"]
    assert 5 not in failing and 1 in failing  # a stopped run (5) is retried and resumes
    # the Job's command line is one this CLI accepts
    from converters.cli import migrate
    from server.client import channel_target

    context = migrate.make_context("migrate", list(args[1:]))
    assert context.params["servers"] == (target,) and context.params["resume"]
    assert channel_target([target]) == target
