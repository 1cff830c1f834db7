"""Item pipelines: prepare ─► store ─► images ─► archive (DESIGN §1)."""
