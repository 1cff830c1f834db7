"""The OPML 2.0 subscription list that feed readers import."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from crawler.text.strings import xml_safe
from feeds.atom import feed_url, page_url
from feeds.model import TopicFeed


def render_opml(feeds: Sequence[TopicFeed], base_url: str, *, title: str = "topicfeed") -> bytes:
    """List every topic feed, in the given order, as UTF-8 OPML bytes."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = xml_safe(title)
    body = etree.SubElement(opml, "body")
    for feed in feeds:
        name = xml_safe(feed.title) or xml_safe(feed.slug)
        etree.SubElement(
            body,
            "outline",
            type="rss",
            text=name,
            title=name,
            xmlUrl=xml_safe(feed_url(base_url, feed.slug)),
            htmlUrl=xml_safe(page_url(base_url, feed.slug)),
        )
    return etree.tostring(opml, encoding="UTF-8", xml_declaration=True, pretty_print=True)
