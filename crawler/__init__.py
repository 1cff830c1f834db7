"""topicfeed: crawl Chinese news sources, keep what matches a topic, publish Atom feeds."""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it, so do the User-Agent and feeds

# The User-Agent names the release series (major.minor): what a site's operator needs.
USER_AGENT = f"topicfeed/{'.'.join(__version__.split('.')[:2])} (+https://github.com/topicfeed/topicfeed)"
