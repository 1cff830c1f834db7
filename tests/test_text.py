from crawler.config import Topic
from crawler.text.htmlclean import html_to_text, resolve_images, sanitize
from crawler.text.strings import content_hash, fold, xml_safe
from crawler.text.summary import split_sentences, summarize
from crawler.text.topics import TopicMatcher


def test_content_hash_ignores_whitespace_and_width():
    assert content_hash("服务外包 发展\n迅速。ＡＢＣ") == content_hash("服务外包发展迅速。ABC")
    assert content_hash("服务外包发展迅速。") != content_hash("服务外包发展缓慢。")


def test_fold_is_nfkc_and_casefold():
    assert fold("ＡＩ服务") == "ai服务"


def test_xml_safe_removes_control_characters():
    assert xml_safe("a\x00b\x0bc\x1fd\ufffe") == "abcd"


def test_lazy_images_and_placeholders_resolved():
    html = ('<p><img data-lazyload="https://x0.ifengimg.com/a.jpg" src="data:image/png;base64,iVBO"></p>'
            '<p><img src="data:image/png;base64,AAAA"></p>')
    resolved = resolve_images(html, "https://hb.ifeng.com/c/x", ["https://x0.ifengimg.com/b.jpg"])
    assert 'src="https://x0.ifengimg.com/a.jpg"' in resolved
    assert 'src="https://x0.ifengimg.com/b.jpg"' in resolved
    assert "base64" not in resolved


def test_data_size_becomes_width_and_height():
    resolved = resolve_images('<img data-src="http://static.1sapp.com/a.jpg" data-size="1024,999">', "http://x/")
    assert 'width="1024"' in resolved and 'height="999"' in resolved and "data-size" not in resolved


def test_sanitize_removes_everything_executable():
    dirty = ('<p onclick="x()">正文<script>alert(1)</script></p><img src=x onerror=alert(1)>'
             '<a href="javascript:alert(1)">点击</a><iframe src="https://evil"></iframe>'
             '<p style="background:url(javascript:alert(1))">样式</p><svg onload=alert(1)></svg>')
    clean = sanitize(dirty)
    for bad in ("script", "onerror", "onclick", "javascript:", "iframe", "style=", "svg", "alert"):
        assert bad not in clean
    assert "正文" in clean and "点击" in clean and "样式" in clean


def test_html_to_text_keeps_paragraphs():
    assert html_to_text("<p>第一段。</p><p>第二段。</p>") == "第一段。\n第二段。"


def test_html_to_text_keeps_text_between_top_level_blocks():
    # Bodies built from <br>-separated text have no wrapper: none of it may be lost.
    html = "导语&lt;一&gt;<p>第一段。</p>第二段。<br>第三段。<br><p>第四段。</p>"
    assert html_to_text(html) == "导语<一>\n第一段。\n第二段。\n第三段。\n第四段。"


def test_summary_whole_sentences_within_limit_and_deterministic():
    text = ("7月23日至25日，第十四届中国国际服务外包交易博览会在湖北武汉举行。"
            "与会专家表示，服务外包产业正加速向数字化、智能化转型。" * 3
            + "数据显示，2024年中国企业承接服务外包执行额22197亿元。天气晴朗。")
    summary = summarize(text)
    assert 0 < len(summary) <= 200
    assert summary == summarize(text)
    sentences = split_sentences(text)
    picked = [part + "。" for part in summary.split("。") if part]
    assert picked and all(sentence in sentences for sentence in picked)
    assert "天气晴朗。" not in picked  # the least representative sentence is left out


# Captions and credit lines as Chinese news pages print them (the ifeng and web samples carry some).
CAPTIONS = (
    "▲新闻发布会现场",
    "△第十四届服博会开幕式现场",
    "图为第十四届中国国际服务外包交易博览会开幕式现场。",
    "第十四届中国国际服务外包交易博览会开幕式现场。主办方供图",
    "服博会人才对接专区，求职者排队投递简历。记者 李想 摄",
    "园区共享办公楼层一角。人民网 周晓岚摄",
    "（新华社记者 伍志尊 摄）",
    "（图片来源：视觉中国）",
    "图/视觉中国",
    "摄影：王五",
    "资料图",
    "图片由受访者提供",
    "红星新闻记者 杨雨奇 王田 北京报道",  # the seed's byline and editor lines
    "编辑 官莉",
)


def test_summary_skips_photo_captions_and_credit_lines():
    story = ("7月23日，第十四届中国国际服务外包交易博览会在武汉开幕，服务外包企业集中展示数字化成果。"
             "数据显示，今年上半年我国企业承接服务外包执行额同比增长超过一成。")
    # Captions first, where the lead bonus would pick them, and between the paragraphs.
    text = "\n".join([*CAPTIONS[:6], story[:45], *CAPTIONS[6:], story[45:],
                      "本届服博会吸引了30多个国家和地区的企业参展。（视频拍摄：凤凰网湖北 周航；剪辑：刘畅）"])
    summary = summarize(text)
    for caption in CAPTIONS:
        assert caption.strip("（）。") not in summary, caption
    assert "视频拍摄" not in summary and "剪辑" not in summary
    assert summary.startswith("7月23日，第十四届中国国际服务外包交易博览会在武汉开幕")
    # sentences that only look alike stay
    kept = "武汉绘就服务外包发展新蓝图。剧组正在武汉拍摄服务外包题材纪录片。"
    assert summarize(kept) == kept


def test_topic_matching_keywords_require_exclude():
    matcher = TopicMatcher([
        Topic("so", "服务外包", ("服务外包", "服博会")),
        Topic("expo", "博览会", ("博览会",), require=("武汉",), exclude=("广告",)),
    ])
    assert matcher.match("第十四届服博会开幕", "武汉博览会") == {"so": ["服博会"], "expo": ["博览会"]}
    assert matcher.match("博览会", "北京") == {}
    assert matcher.match("武汉博览会", "广告") == {}
    assert matcher.match("ＡＢＣ", "") == {}
    assert TopicMatcher([Topic("ai", "AI", ("ai",))]).match("全新ＡＩ产品", "") == {"ai": ["ai"]}
