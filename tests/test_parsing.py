import json
import re

import pytest

from spiders.parsing import PageParseError, embedded_json, jsonp_payload


def test_embedded_json_survives_brace_semicolon_in_strings():
    doc = {"docData": {"title": "陷阱", "text": "<p>var cfg = {};</p><p>之后的句子。</p>"}}
    page = f"<script>\nvar allData = {json.dumps(doc, ensure_ascii=False)};\nvar adData = {{}};\n</script>"
    assert embedded_json(page, "var allData =") == doc
    naive = re.search(r"var allData = (.+?});", page)
    with pytest.raises(json.JSONDecodeError):
        json.loads(naive.group(1))


def test_embedded_json_missing_or_cut_is_a_parse_error():
    with pytest.raises(PageParseError, match="not found"):
        embedded_json("<html></html>", "var allData =")
    with pytest.raises(PageParseError, match="broken"):
        embedded_json('var allData = {"docData": {"title": "cut', "var allData =")


def test_jsonp_payload():
    assert jsonp_payload('getColumnInfoCallback({"data":{"isEnd":true}})') == {"data": {"isEnd": True}}
    with pytest.raises(PageParseError):
        jsonp_payload("<html>502 Bad Gateway</html>")
