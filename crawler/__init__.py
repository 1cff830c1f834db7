"""topicfeed: crawl Chinese news sources, keep what matches a topic, publish Atom feeds."""

__version__ = "0.1.0"
