"""Tables of the applicant space: the material store (材料库)."""

from yiwang.space.models.materials import MaterialEntrySource, StoredMaterial

__all__ = ["MaterialEntrySource", "StoredMaterial"]
