"""Recorded site snapshots, served in the mirror convention (DESIGN §4, §9)."""
