"""Render Yiwang's Kubernetes manifests from values (deploy/k8s/values.yaml and overlays).

    uv run python deploy/k8s/render.py                          # values.yaml → stdout
    uv run python deploy/k8s/render.py values.yaml values-city.yaml > yiwang.yaml

Plain Python and PyYAML (no Helm needed): later values files override earlier ones key by key.
Objects: Namespace, ConfigMap (``config``), Deployments ``web`` (``yiwang serve``), ``worker``
(``yiwang worker``) and ``scheduler`` (``yiwang scheduler``; more than one replica is safe, the
scheduler lock lets one run the jobs), a Job ``migrate`` (run once per release before rolling the
web pods), Service and Ingress for the web pods, HorizontalPodAutoscalers for web and worker, and
PodDisruptionBudgets.  Every container reads the ConfigMap and the Secret ``secretName`` (created by
the operator: the keys in ``secretKeys``), has resources, and the web pods have probes on /healthz
(liveness) and /readyz (readiness).  tests/scaleout/test_k8s_render.py checks the result.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_values(paths: list[Path]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path in paths:
        values = merge(values, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return values


def _meta(v: dict[str, Any], name: str, component: str | None = None) -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": v["name"], "app.kubernetes.io/part-of": "yiwang"}
    if component:
        labels["app.kubernetes.io/component"] = component
    return {"name": name, "namespace": v["namespace"], "labels": labels}


def _selector(v: dict[str, Any], component: str) -> dict[str, Any]:
    return {"app.kubernetes.io/name": v["name"], "app.kubernetes.io/component": component}


def _container(
    v: dict[str, Any], component: str, args: list[str], resources: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": component,
        "image": v["image"],
        "args": args,
        "envFrom": [
            {"configMapRef": {"name": f"{v['name']}-config"}},
            {"secretRef": {"name": v["secretName"]}},
        ],
        "resources": copy.deepcopy(resources),
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": False,
        },
    }


def _deployment(
    v: dict[str, Any], component: str, container: dict[str, Any], replicas: int
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(v, f"{v['name']}-{component}", component),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": _selector(v, component)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": _selector(v, component)},
                # SIGTERM: gunicorn finishes requests, the worker its task (30 s as in gunicorn_conf).
                "spec": {"terminationGracePeriodSeconds": 45, "containers": [container]},
            },
        },
    }


def _hpa(v: dict[str, Any], component: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(v, f"{v['name']}-{component}", component),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": f"{v['name']}-{component}",
            },
            "minReplicas": spec["minReplicas"],
            "maxReplicas": spec["maxReplicas"],
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": spec["targetCPUUtilization"]},
                    },
                }
            ],
        },
    }


def _pdb(v: dict[str, Any], component: str, budget: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(v, f"{v['name']}-{component}", component),
        "spec": {**budget, "selector": {"matchLabels": _selector(v, component)}},
    }


def render(v: dict[str, Any]) -> list[dict[str, Any]]:
    web, worker, scheduler = v["web"], v["worker"], v["scheduler"]
    port = int(web["port"])
    web_container = _container(v, "web", ["serve"], web["resources"])
    web_container["env"] = [{"name": "HOST", "value": "0.0.0.0"}, {"name": "PORT", "value": str(port)}]  # noqa: S104
    web_container["ports"] = [{"name": "http", "containerPort": port}]
    web_container["livenessProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }
    web_container["readinessProbe"] = {
        "httpGet": {"path": "/readyz", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 5,
        "failureThreshold": 2,
    }
    web_container["startupProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 2,
        "failureThreshold": 30,
    }
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": v["namespace"]}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(v, f"{v['name']}-config"),
            "data": {key: str(value) for key, value in v["config"].items()},
        },
        _deployment(v, "web", web_container, web["replicas"]),
        _deployment(
            v, "worker", _container(v, "worker", ["worker"], worker["resources"]), worker["replicas"]
        ),
        _deployment(
            v,
            "scheduler",
            _container(v, "scheduler", ["scheduler"], scheduler["resources"]),
            scheduler["replicas"],
        ),
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": _meta(v, f"{v['name']}-migrate", "migrate"),
            "spec": {
                "backoffLimit": 2,
                "template": {
                    "metadata": {"labels": _selector(v, "migrate")},
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            _container(v, "migrate", ["migrate", "--no-input"], v["migrate"]["resources"])
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(v, f"{v['name']}-web", "web"),
            "spec": {
                "selector": _selector(v, "web"),
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                **_meta(v, v["name"], "web"),
                # /metrics stays inside the cluster (Prometheus scrapes the pods with the token).
                "annotations": {
                    "nginx.ingress.kubernetes.io/server-snippet": "location = /metrics { return 404; }"
                },
            },
            "spec": {
                "ingressClassName": v["ingressClass"],
                "tls": [{"hosts": [v["host"]], "secretName": v["tlsSecret"]}],
                "rules": [
                    {
                        "host": v["host"],
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {"name": f"{v['name']}-web", "port": {"name": "http"}}
                                    },
                                }
                            ]
                        },
                    }
                ],
            },
        },
        _hpa(v, "web", web),
        _hpa(v, "worker", worker),
        _pdb(v, "web", {"minAvailable": max(1, web["minReplicas"] // 2)}),
        _pdb(v, "worker", {"maxUnavailable": 1}),
    ]
    return objects


def dump(objects: list[dict[str, Any]]) -> str:
    return "---\n".join(yaml.safe_dump(o, sort_keys=False, allow_unicode=True) for o in objects)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [HERE / "values.yaml"]
    sys.stdout.write(dump(render(load_values(paths))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
