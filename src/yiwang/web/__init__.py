"""网页工具 The shared web kit: page helpers every page uses (fields, errors, redirects, access
decorators, file downloads). It depends on Django and ``yiwang.core`` only, never on an app."""
