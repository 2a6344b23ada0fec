"""The Kubernetes manifests rendered from deploy/k8s/values.yaml (deploy/k8s/render.py) are sound:
they parse, have the objects a deployment needs, run the platform's image with its own commands, read
only environment variables the platform reads, probe paths the URLconf serves, set resources on
every container, and the committed deploy/k8s/yiwang.yaml is what the renderer makes."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def renderer() -> Any:
    spec = importlib.util.spec_from_file_location("yiwang_k8s_render", K8S / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def rendered(*overlays: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    render = renderer()
    values = render.load_values([K8S / "values.yaml"])
    for overlay in overlays:
        values = render.merge(values, overlay)
    text = render.dump(render.render(values))
    return values, [o for o in yaml.safe_load_all(text) if o]


def containers(objects: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for o in objects:
        if o["kind"] in ("Deployment", "Job"):
            for c in o["spec"]["template"]["spec"]["containers"]:
                found.append((o["metadata"]["name"], c))
    return found


def platform_environment() -> set[str]:
    """Every environment variable name the settings and the gunicorn configuration read."""
    names: set[str] = set()
    for path in (ROOT / "src" / "yiwang" / "settings.py", ROOT / "src" / "yiwang" / "gunicorn_conf.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(
            re.findall(
                r"""(?:environ(?:\.get)?[\[(]|env_bool\(|env_list\(|_secret\()\s*["']([A-Z0-9_]+)["']""", text
            )
        )
        names |= set(re.findall(r"""os\.environ\.get\(\s*f?["']([A-Z0-9_]+)["']""", text))
    return names


def test_the_manifests_parse_and_have_every_object_of_a_deployment():
    _values, objects = rendered()
    kinds = Counter(o["kind"] for o in objects)
    assert kinds == {
        "Namespace": 1,
        "ConfigMap": 1,
        "Deployment": 3,
        "Job": 1,
        "Service": 1,
        "Ingress": 1,
        "HorizontalPodAutoscaler": 2,
        "PodDisruptionBudget": 2,
    }
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "Deployment"}
    assert names == {"yiwang-web", "yiwang-worker", "yiwang-scheduler"}
    for o in objects:
        if o["kind"] in ("Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"):
            assert o["metadata"]["namespace"] == "yiwang"


def test_every_container_runs_the_image_with_a_platform_command_its_resources_and_the_config():
    values, objects = rendered()
    seen = set()
    for name, c in containers(objects):
        assert c["image"] == values["image"], name
        assert c["args"][0] in {"serve", "worker", "scheduler", "migrate"}, name
        seen.add(c["args"][0])
        for kind in ("requests", "limits"):
            assert c["resources"][kind]["cpu"] and c["resources"][kind]["memory"], name
        refs = {next(iter(ref.values()))["name"] for ref in c["envFrom"]}
        assert refs == {"yiwang-config", values["secretName"]}
    assert seen == {"serve", "worker", "scheduler", "migrate"}


def test_the_environment_given_is_the_environment_the_platform_reads():
    values, objects = rendered()
    known = platform_environment()
    assert len(known) > 40 and "NOT_A_SETTING" not in known  # the scan finds the settings' variables
    config = next(o for o in objects if o["kind"] == "ConfigMap")["data"]
    unknown = sorted((set(config) | set(values["secretKeys"])) - known)
    assert unknown == [], f"not read by settings.py / gunicorn_conf.py: {unknown}"
    assert {"SECRET_KEY", "DATABASE_URL", "YIWANG_DATA_KEK"} <= set(values["secretKeys"])
    assert config["YIWANG_PROFILE"] == "production" and config["YIWANG_PUBLIC_URL"].startswith("https://")


def test_probes_use_paths_the_platform_serves_and_the_service_reaches_the_web_port():
    _values, objects = rendered()
    web = next(c for name, c in containers(objects) if name == "yiwang-web")
    paths = {web[p]["httpGet"]["path"] for p in ("livenessProbe", "readinessProbe", "startupProbe")}
    assert paths == {"/healthz", "/readyz"}
    for path in paths:
        assert resolve(path).url_name in {"healthz", "readyz"}
    service = next(o for o in objects if o["kind"] == "Service")
    assert service["spec"]["ports"][0]["targetPort"] == web["ports"][0]["name"]
    ingress = next(o for o in objects if o["kind"] == "Ingress")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]


def test_an_overlay_changes_only_what_it_names():
    _values, objects = rendered({"web": {"replicas": 9}, "image": "registry.city/yiwang:2.0"})
    web = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "yiwang-web")
    assert web["spec"]["replicas"] == 9
    assert web["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "2"
    assert {c["image"] for _n, c in containers(objects)} == {"registry.city/yiwang:2.0"}


def test_the_committed_manifest_is_what_the_renderer_makes():
    render = renderer()
    expected = render.dump(render.render(render.load_values([K8S / "values.yaml"])))
    assert (K8S / "yiwang.yaml").read_text(encoding="utf-8") == expected, (
        "run: python deploy/k8s/render.py > deploy/k8s/yiwang.yaml"
    )
