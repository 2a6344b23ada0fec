"""Copy the front-end libraries the pages use from node_modules into build/assets (collected as static).

Nothing third-party is committed: package.json pins the packages, npm installs them at build time.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
TARGET = ROOT / "build" / "assets"

FILES = {
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    # 流程图: the read-only BPMN viewer and its styles
    "bpmn-js/bpmn-navigated-viewer.production.min.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js/bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
    # 电子表单设计器: Form.io's open-source builder, its styles (with the icon font) and Bootstrap 5
    "formio/formio.full.min.js": "@formio/js/dist/formio.full.min.js",
    "formio/formio.full.min.css": "@formio/js/dist/formio.full.min.css",
    "formio/fonts/bootstrap-icons.woff2": "@formio/js/dist/fonts/bootstrap-icons.woff2",
    "formio/fonts/bootstrap-icons.woff": "@formio/js/dist/fonts/bootstrap-icons.woff",
    "bootstrap/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    # the stylesheet names its source map; the hashed static storage (collectstatic) needs the file there
    "bootstrap/bootstrap.min.css.map": "bootstrap/dist/css/bootstrap.min.css.map",
}


def main() -> int:
    missing = [src for src in FILES.values() if not (NODE_MODULES / src).exists()]
    if missing:
        print(f"missing npm files (run `npm ci`): {missing}", file=sys.stderr)
        return 1
    for dest, src in FILES.items():
        target = TARGET / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        source = NODE_MODULES / src
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            shutil.copy2(source, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
