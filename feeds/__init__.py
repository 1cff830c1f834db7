"""Atom feeds, the OPML list and the HTML index built from the store."""
