"""电子表单 The e-form engine: one Form.io definition drives the builder, the pages and the server.

See docs/forms.md.  Public API:

- :func:`normalise_definition` — check and clean a definition (builder, manage API, import);
- :func:`from_legacy` / :func:`flatten` — the old flat ``form_fields`` list ↔ a definition;
- :func:`validate_submission` — THE validator of submitted data;
- :func:`parse_post` — an HTML form POST → data;
- :func:`render_nodes` / :class:`Source` — nodes for the template partial ``forms/_form.html``;
- :func:`display_nodes` / :func:`snapshot_display` — submitted data as read-only rows (case detail);
- :func:`code_table` — the national code tables (re-exported from :mod:`yiwang.core.codetables`).
"""

from __future__ import annotations

from yiwang.catalog.forms.definition import MAX_COMPONENTS, empty_definition, leaves, subset
from yiwang.catalog.forms.display import display_nodes, display_value, snapshot_display
from yiwang.catalog.forms.expressions import ExpressionError, parse_expression
from yiwang.catalog.forms.legacy import definition_of, flatten, from_legacy
from yiwang.catalog.forms.normalise import normalise_definition
from yiwang.catalog.forms.post import parse_post, yuan_to_fen
from yiwang.catalog.forms.render import Source, render_nodes
from yiwang.catalog.forms.validate import FORM_INVALID, validate_submission
from yiwang.core.codetables import code_label, code_table

__all__ = [
    "FORM_INVALID",
    "MAX_COMPONENTS",
    "ExpressionError",
    "Source",
    "code_label",
    "code_table",
    "definition_of",
    "display_nodes",
    "display_value",
    "empty_definition",
    "flatten",
    "from_legacy",
    "leaves",
    "normalise_definition",
    "parse_expression",
    "parse_post",
    "render_nodes",
    "snapshot_display",
    "subset",
    "validate_submission",
    "yuan_to_fen",
]
