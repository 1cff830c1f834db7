"""Realistic Qutoutiao (趣头条) list API answers and article pages built from data.

The one maker of Qutoutiao fixture pages. Shapes follow shared/sites/README.md §1: the
``content/outList`` JSON (items in ``data.data``, ad items without ``id``, paging by
``min_time``, a per-request ``key``/``pv_id`` in every article URL) and static article pages
on ``html2.qktoutiao.com`` (``div.article h1``, ``div.info``, ``div.content`` with
``data-src``/``data-size`` images, script and ``#img`` junk), plus a deleted article
answered by the object store's ``NoSuchKey`` error. Tests, the demo and the benchmarks all
build their Qutoutiao pages here.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import quote

from crawler.snapshot.writer import SnapshotWriter
from tests.sites.ifeng import IfengDoc, IfengSample, lazy_img
from tests.sites.media import placeholder_png

BEIJING = timezone(timedelta(hours=8))
LIST_LIMIT = 20  # the spider's default page size: recorded list URLs carry it
LIST_URL = "http://api.1sapp.com/content/outList?cid={cid}&tn=1&page=1&limit={limit}"
ARTICLE_URL = "https://html2.qktoutiao.com/detail/{day:%Y/%m/%d}/{content_id}.html"
COVER_SUFFIX = "?imageView2/2/w/200/h/150/q/70/format/jpeg"
PLACEHOLDER_SRC = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
CATEGORIES = {255: "推荐", 1: "热点", 10: "财经"}
HTML_TYPE = "text/html; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml"
REPOST_OF = "lazyload"  # the ifeng sample article a Qutoutiao account reposts word for word


@dataclass(frozen=True)
class QttImage:
    url: str
    width: int
    height: int


# A body block: a paragraph's text, or an image paragraph.
Block = str | QttImage


@dataclass(frozen=True)
class QttDoc:
    content_id: str
    title: str
    account: str  # the publishing account: div.info's last token, the list's and the page's nickname
    published: datetime  # aware
    body_html: str  # what div.content holds, before the page's junk is added
    introduction: str
    tags: tuple[str, ...]
    images: tuple[QttImage, ...] = ()
    info: str = "seconds"  # the time in div.info: "seconds", "minutes" or "none"
    list_times: str = "both"  # list item times: "both" (publish_time + show_time) or "show_time"
    deleted: bool = False  # the page answers NoSuchKey
    source_name: str | None = None  # the list's source_name (the publisher); None: the account

    @property
    def outlet(self) -> str:
        """Who published it, as the spider must tell: source_name, else the page's nickname."""
        return self.source_name or self.account

    @property
    def url(self) -> str:
        day = self.published.astimezone(BEIJING)
        return ARTICLE_URL.format(day=day, content_id=self.content_id)

    @property
    def publish_ms(self) -> int:
        return int(self.published.timestamp() * 1000)

    @property
    def cover(self) -> str:
        """The list's cover: a thumbnail of the first image (or of a stock picture)."""
        first = self.images[0].url if self.images else _image_url("cover:" + self.content_id, self.published)
        return first + COVER_SUFFIX

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraph texts, in order (image paragraphs left out)."""
        return re.findall(r"<p>([^<]+)</p>", self.body_html)


@dataclass(frozen=True)
class QutoutiaoSample:
    """What ``build_qutoutiao_snapshot`` recorded, so tests can assert without re-parsing.

    ``expected_archived`` assumes a crawl of categories 255, 1 and 10 with the default
    spider arguments (prefilter on), topic keywords 服务外包/服博会 and ``max_age_days`` 7
    before ``recorded_at``.
    """

    docs: Mapping[str, QttDoc]
    expected_archived: frozenset[str]
    non_matching: frozenset[str]  # no topic keyword anywhere; the prefilter skips them
    too_old: frozenset[str]  # listed beyond max_age_days: never requested
    deleted: str
    shared: str  # listed in two categories, with a different key in each
    repost_of: tuple[str, str]  # (this role, ifeng role): the same text on both sites
    list_urls: Mapping[int, tuple[str, ...]]  # per category, the recorded pages in paging order
    unrecorded_list_urls: tuple[str, ...]  # next pages a crawl must not ask for
    ads: int  # ad items over all recorded list pages
    recorded_at: datetime
    categories: tuple[int, ...] = field(default=tuple(CATEGORIES))

    def role_of(self, url: str) -> str | None:
        path = url.split("?", 1)[0].split("://", 1)[-1]
        return next((r for r, d in self.docs.items() if d.url.split("://", 1)[1] == path), None)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _image_url(seed: str, day: datetime) -> str:
    """A static.1sapp.com qupost image URL in the real shape, deterministic from ``seed``."""
    return f"http://static.1sapp.com/qupost/img/{day.astimezone(BEIJING):%Y/%m/%d}/{_sha1(seed)[:32]}.jpeg"


def qtt_img(image: QttImage, n: int = 0) -> str:
    """An in-article image as the page has it: the real URL in data-src, its size in data-size.

    ``src`` varies as on real pages: the same URL, a placeholder, or absent.
    """
    src = ("", f' src="{image.url}"', f' src="{PLACEHOLDER_SRC}"')[n % 3]
    return f'<p><img data-src="{image.url}" data-size="{image.width},{image.height}"{src}><span></span></p>'


def body_from_blocks(blocks: Sequence[Block]) -> str:
    parts = []
    images = 0
    for block in blocks:
        if isinstance(block, QttImage):
            parts.append(qtt_img(block, images))
            images += 1
        else:
            parts.append(f"<p>{escape(block, quote=False)}</p>")
    return "\n".join(parts)


def _doc(content_id: str, title: str, account: str, published: str, blocks: Sequence[Block],
         tags: Sequence[str], **kw: Any) -> QttDoc:
    """A QttDoc from text blocks; ``published`` is Beijing time "YYYY-MM-DD HH:MM:SS"."""
    when = datetime.strptime(published, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    if kw.get("info") == "minutes" and when.second:
        raise ValueError(f"{content_id}: a page showing minutes cannot carry seconds")
    first = next(b for b in blocks if isinstance(b, str))
    return QttDoc(
        content_id=content_id,
        title=title,
        account=account,
        published=when,
        body_html=body_from_blocks(blocks),
        introduction=first[:48],
        tags=tuple(tags),
        images=tuple(b for b in blocks if isinstance(b, QttImage)),
        **kw,
    )


# ---------------------------------------------------------------- the seed article


def _seed_image(name: str, width: int, height: int) -> QttImage:
    return QttImage(f"http://static.1sapp.com/qupost/img/2021/10/18/{name}", width, height)


# The seed's paragraphs and images exactly as in tests/data/seeds/qutoutiao-hexo-post.md, with
# the images unwrapped from the cors proxy the Hexo copy put around them.
SEED_TITLE = "第12届服博会将在武汉举行！展览面积历届最大，参展企业机构数历届最多"
SEED_BLOCKS: tuple[Block, ...] = (
    (
        "10月28日至30日，由商务部和武汉市人民政府主办，中国国际投资促进会、湖北省商"
        "务厅、武汉市商务局承办的第十二届中国国际服务外包交易博览会（简称“服博会”）将在"
        "武汉国际博览中心拉开帷幕。这也是服博会成功举办11届以来，首次选址中国中部地区。"
    ),
    (
        "本次服博会与过去相比有哪些亮点？今年中国的服务贸易表现如何？在10月18日召开的"
        "本届服博会新闻发布会上，相关负责人通报了详细信息。"
    ),
    _seed_image("62ac5f65873d7ecbdbf38eec375b8031.jpeg", 1330, 1080),
    "▲新闻发布会现场",
    "第十二届服博会有何亮点？",
    "将设置中国服务外包发展成就综合展",
    (
        "服博会历时11年，这场由商务部与服务外包示范城市共同主办的国家级、国际性、专业化"
        "展会，在促进我国服务外包产业发展、扩大服务外包国际交流合作、推动服务业高水平对外"
        "开放等方面发挥了重要作用。"
    ),
    (
        "红星新闻记者从会上获悉，本次服博会主题为“数字新机遇，外包新未来”。对于今年服博"
        "会的亮点，商务部服贸司副司长王东堂在会上介绍了三个方面。"
    ),
    (
        "首先，第十二届服博会将突出展示服务外包发展成就。王东堂在会上透露，我国承接离岸服"
        "务外包执行额已由2006年10多亿美元，增至2020年的1057.7亿美元。本届"
        "服博会将专门设立中国服务外包发展成就综合展，总结回顾15年来服务外包发展历程，全"
        "景式展现服务外包发展重要成就，并集中展示我国服务外包示范城市的建设成果。"
    ),
    (
        "第二方面，在于突出服务外包数字化转型主题。王东堂表示，本届服博会以“数字新机遇，"
        "外包新未来”为主题，将举办国际服务外包发展论坛，邀请世贸组织、欧盟驻华使团、日本"
        "贸易振兴机构、中国信息产业商会等权威机构负责人发表演讲，邀请服务外包领域龙头和领"
        "军企业高管和专家学者围绕数字化变革进行高端对话。服博会期间，还将聚焦数字化转型，"
        "举办十余场交流会、研讨会和对接洽谈会，为参会各方搭建交流与合作平台。"
    ),
    (
        "第三方面，王东堂称，本届服博会将突出提升中国服务的品牌影响力。期间，商务部将发布"
        "《中国服务外包发展报告》，系统分析我国服务外包发展的最新态势，面临的机遇和挑战，"
        "以及“十四五”时期的发展展望。"
    ),
    _seed_image("887059bb33efe4fba35426729e2cf0ee.jpeg", 1620, 1080),
    "▲王东堂在发布会上发言",
    "武汉市政府：",
    "展览面积历届最大，参展企业机构历届最多",
    (
        "武汉市副市长江伟在会上透露，本届服博会围绕“数字新机遇，外包新未来”主题，将举办"
        "一系列高层级交流活动，包括国际服务外包发展论坛、中国国际智慧健康峰会、中国数字服"
        "务及服务外包领军企业推介会等10余场专题论坛及专题推介洽谈活动。"
    ),
    (
        "另一方面，为促进行业的融合交流，本届服博会将聚焦智能制造、智慧健康、金融服务、咨"
        "询服务、数字服务等领域，向参展观众展示当前服务外包产业新产品、新技术、新成果，以"
        "及一批领军企业品牌，促进产业供需对接和合作交流。届时，安徽、天津、深圳、济南、武"
        "汉、宜昌等省市将设立专题展区。"
    ),
    (
        "此外，诸如富士胶片、法国TP集团、美国聚思鸿、野村综研、维音数码、中国联通、中国"
        "银行、中软国际、软通动力、科大讯飞、药明康德、摩克特医疗、武汉烽火、领航动力等近"
        "100家国内外知名企业也将参展。"
    ),
    (
        "“目前，本届服博会各板块基本完成招商组展工作，展览面积为历届最大，参展企业机构数"
        "量为历届最多，综合性程度和国际化水平均有大幅提升。”江伟说。同时，本届服博会将邀"
        "请世贸组织副总干事张向晨、欧盟驻华大使郁白等嘉宾，英中贸易协会、日本贸易振兴机构"
        "、安永、IBM、NTT、埃森哲、法国TP、渣打环球、纬创软件、路孚特、松下电器、"
        "中国电建、华为等国际组织和企业高管将以线上线下方式参会，以提高国际知名度。"
    ),
    _seed_image("149e939960d24a34c469595c54c35a65.jpeg", 1620, 1080),
    "▲江伟在发布会上发言",
    "中国服务贸易行业如何发展？",
    "商务部：完善平台载体，加快数字化转型",
    (
        "服博会成功举办11届，背后离不开中国服务贸易行业的快速发展，王东堂用数据展示了中"
        "国服务贸易近年来的成绩。"
    ),
    (
        "据王东堂介绍，2020年，我国承接离岸服务外包执行额1057.7亿美元，“十三五"
        "”时期年均增长10.4%。目前，与我国开展服务外包业务的贸易伙伴已遍布五大洲近2"
        "00个国家和地区。2020年，我国承接服务外包执行额超过1亿美元的国家和地区达到"
        "73个，比2015年增加13个。"
    ),
    (
        "但同时，我国市场集中度也有所下降。王东堂指出，美国和欧盟分别是我国承接离岸服务外"
        "包的第一大和第三大市场，近年来在服务外包总体中的占比呈下降态势。2020年，我国"
        "承接美国、欧盟的服务外包执行额合计为366.2亿美元，在总额中占比34.6%，较"
        "2015年下降3.9个百分点。"
    ),
    (
        "值得一提的是，我国“一带一路”沿线国家的服务外包市场份额不断上升。数据显示，20"
        "20年，我国企业承接“一带一路”沿线国家服务外包执行额达198亿美元，占比18."
        "7%，较2015年提高1.5个百分点。"
    ),
    (
        "下一步，我国服务外包产业如何实现升级？对此，王东堂明确指出：“‘十四五’时期仍将"
        "是我国服务外包产业发展的重要战略机遇期，商务部将加快落实服务外包转型升级政策举措"
        "，大力推进服务贸易数字化进程，巩固提升服务外包产业发展水平和国际竞争力。”"
    ),
    (
        "王东堂表示，首先，商务部将联合相关部门完善平台载体，深入推进服务贸易创新发展试点"
        "和服务外包示范城市建设，通过先行先试和示范引领带动，加快服务外包向高技术、高附加"
        "值、高品质、高效益转型升级，推动相关产业高质量发展。持续完善服务贸易和服务外包平"
        "台载体建设，继续办好服贸会、服博会等各类重要展会，打造全国性公共服务平台，支持各"
        "地开展形式多样的服务外包产业投资促进活动。"
    ),
    (
        "另一方面，将加快数字化转型，顺应经济社会数字化发展新趋势，加强顶层设计，抢抓数字"
        "经济和数字贸易发展机遇，大力发展数字贸易，运用数字技术大力发展众包、云外包、平台"
        "分包等新业态新模式，推进服务外包数字化高端化转型。"
    ),
    (
        "第三方面，将优化区域布局。落实国家区域重大战略和区域协调发展战略，完善示范城市动"
        "态管理机制，有序新增示范城市，着力优化国内区域发展布局，形成东部引领带动、中西部"
        "和东北地区加快发展的新格局，实现区域协调联动发展。"
    ),
    (
        "最后，在壮大市场主体上，商务部将不断完善各类支持政策，积极促进要素流动型开放和制"
        "度型开放相结合，“边境上”准入和“边境后”监管相衔接，激发服务外包市场主体活力。"
        "支持服务外包企业加强研发创新，提高国际竞争力和国际化经营水平。培育全球价值链中的"
        "“隐形冠军”“小巨人”企业，支持企业走“专精特新”的发展道路。"
    ),
    "红星新闻记者 杨雨奇 王田 北京报道",
    "编辑 官莉",
    "（下载红星新闻，报料有奖！）",
    _seed_image("1875318cfdce2090a4b2e430a4040cee.png", 750, 136),
)


def _seed() -> QttDoc:
    # The seed is dated Mon, 18 Oct 2021 14:06:15 GMT; here it moves to the same weekday and
    # clock of the sample week (Mon 21 Jul 2025), so the demo and the default max_age_days
    # keep it. Its content id is made up (the Hexo copy does not give it); its images keep
    # their real 2021 URLs.
    return _doc("1815262744", SEED_TITLE, "红星新闻", "2025-07-21 22:06:15", SEED_BLOCKS,
                ("服博会", "服务外包", "武汉"))


def _repost(original: IfengDoc) -> QttDoc:
    """A Qutoutiao account's word-for-word repost of an ifeng article: the same text (so the
    same content hash), the images re-hosted on static.1sapp.com."""
    published = original.published + timedelta(minutes=45)
    body = original.content_html
    images = []
    for n, image in enumerate(original.images):
        rehosted = QttImage(_image_url(f"repost:{original.doc_id}:{n}", published), image.width,
                            image.height)
        ifeng_markup = lazy_img(image)
        if ifeng_markup not in body:
            raise ValueError(f"ifeng sample {original.doc_id}: image markup changed, repost would drift")
        caption = f"<p>{image.caption}</p>" if image.caption else ""
        body = body.replace(ifeng_markup, "\n" + qtt_img(rehosted, n) + "\n" + caption + "\n")
        images.append(rehosted)
    first = re.sub(r"<[^>]+>", "", body.split("</p>", 1)[0])
    return QttDoc(
        content_id="1815897321",
        title=original.title,
        account=original.source,
        published=published.astimezone(BEIJING),
        body_html=body.replace("</p><p>", "</p>\n<p>"),
        introduction=first[:48],
        tags=original.keywords,
        images=tuple(images),
        info="minutes",
    )


def _shared() -> QttDoc:
    return _doc("1815873105", "武汉数字服务外包产业园开园 首批30家企业入驻", "长江日报",
                "2025-07-25 09:30:20", (
        "7月24日，位于武汉经济技术开发区的数字服务外包产业园正式开园，首批30家企业集中入驻，"
        "涵盖软件开发、数据标注、智能客服和工业设计等领域。",
        "产业园总建筑面积约12万平方米，由老旧厂房改造而成，配套建设了人才公寓、共享会议中心和"
        "跨境数据服务平台。园区运营方介绍，目前已有近2000名员工到岗。",
        QttImage(_image_url("shared:1", datetime(2025, 7, 25, tzinfo=BEIJING)), 1080, 720),
        "入驻企业中，有一家专门为欧洲车企提供仿真测试服务的公司。负责人说，公司此前在沿海城市"
        "设有交付中心，看中武汉的高校资源和较低的运营成本，决定把新团队放在这里。",
        "开发区有关负责人表示，将对入驻企业给予房租减免和人才补贴，力争三年内引进服务外包企业"
        "100家，带动就业1万人以上。",
    ), ("服务外包", "武汉经开区", "产业园"))


def _nunjucks() -> QttDoc:
    # Template syntax in the text: a Hexo post of it needs disableNunjucks.
    return _doc("1815702268", "服务外包团队用上低代码平台 一套模板服务上百家客户", "光谷科技观察",
                "2025-07-24 20:00:05", (
        "在武汉光谷一家服务外包企业的办公室里，工程师小周正在调整一份发给海外客户的通知模板。"
        "过去每份通知都要人工修改，如今只需维护一套模板，系统会自动填入客户信息。",
        "小周向记者演示：模板中写着“尊敬的 {{ customer.name }}”，发送时会被替换成客户的名称；"
        "而 {% if customer.vip %} 和 {% endif %} 之间的段落，只有重要客户才能看到。",
        QttImage(_image_url("nunjucks:1", datetime(2025, 7, 24, tzinfo=BEIJING)), 1280, 960),
        "公司负责人介绍，引入低代码平台后，一个五人小组就能同时服务上百家客户，交付周期从两周"
        "缩短到三天，团队也有更多精力承接数据分析等高附加值业务。",
        "业内人士认为，工具升级正在改变服务外包企业的用工结构，简单重复的岗位减少，懂业务、"
        "会配置系统的复合型人才更受欢迎。",
    ), ("服务外包", "低代码", "光谷"))


def _list_time_only() -> QttDoc:
    # No time on the page and only show_time in the list: published comes from show_time.
    # No source_name in the list either: the outlet is the page's nickname.
    return _doc("1814420917", "服博会开幕在即 “数字服务出海”专区布展完成", "极目新闻",
                "2025-07-20 11:30:00", (
        "距第十四届中国国际服务外包交易博览会开幕还有三天，武汉国际博览中心内的布展工作已进入"
        "收尾阶段。记者20日在现场看到，新设立的“数字服务出海”专区已基本完成搭建。",
        "据介绍，该专区将集中展示我国企业在跨境电商、云服务、智能制造等领域的最新成果，已有来自"
        "东盟、中东等地的多批海外采购商报名参观洽谈。",
        "组委会工作人员表示，本届服博会首次采用线上预约入场，观众可通过官方小程序提前登记，"
        "现场扫码即可快速入馆。",
        "为做好服务保障，武汉市已组织志愿者上千名，在展馆、机场、高铁站等地提供咨询引导服务。",
    ), ("服博会", "数字服务", "武汉"), info="none", list_times="show_time", source_name="")


def _deleted() -> QttDoc:
    return _doc("1815455802", "服博会期间武汉优化公交线路 多条线路直达博览中心", "武汉发布",
                "2025-07-23 18:00:00", (
        "为保障第十四届中国国际服务外包交易博览会期间市民和参会人员出行，武汉公交集团对途经"
        "武汉国际博览中心的多条线路进行了优化调整。",
    ), ("服博会", "公交"), deleted=True)


def _finance() -> QttDoc:
    # The account (div.info, nickname) is the paper's website; source_name names the paper.
    return _doc("1815861440", "数字贸易提速：上半年我国承接离岸服务外包执行额增长超一成", "证券时报网",
                "2025-07-25 11:02:00", (
        "商务部最新数据显示，今年上半年，我国企业承接离岸服务外包执行额同比增长超过一成，"
        "数字化服务占比持续提升，成为稳外贸的重要力量。",
        "从行业看，信息技术外包仍是主力，工业设计、医药研发等知识流程外包增长最快。多家上市公司"
        "在半年报预告中提到，海外订单明显回暖。",
        QttImage(_image_url("finance:1", datetime(2025, 7, 25, tzinfo=BEIJING)), 1200, 675),
        "分析人士指出，随着人工智能应用加速落地，服务外包正在从“人力密集”转向“技术密集”，"
        "具备自主研发能力的企业有望获得更高估值。",
        "不过也有业内人士提醒，汇率波动和部分市场需求放缓仍带来不确定性，企业需加强风险管理，"
        "稳步拓展新兴市场。",
    ), ("服务外包", "数字贸易", "商务部"), info="minutes", source_name="证券时报")


def _too_old() -> QttDoc:
    return _doc("1812096633", "服务外包示范城市综合评价结果公布 武汉位列中部第一", "湖北日报",
                "2025-07-10 09:00:00", (
        "商务部近日公布2024年度服务外包示范城市综合评价结果，武汉在37个示范城市中位列第六，"
        "居中部地区首位。",
        "评价从产业规模、发展质量、创新能力和营商环境等方面进行，武汉在人才供给和创新能力两项"
        "指标上得分突出。",
    ), ("服务外包", "示范城市"))


def _weather() -> QttDoc:
    return _doc("1815866021", "武汉连续高温 这份防暑指南请收好", "武汉晚报",
                "2025-07-25 12:00:00", (
        "入伏以来，武汉持续晴热高温，最高气温连续多日超过37℃。市疾控中心提醒，高温天气要注意"
        "防暑降温，尽量避免在中午前后长时间户外活动。",
        "专家建议，外出时做好遮阳措施，随身携带饮用水，少量多次补充水分；室内空调温度不宜过低，"
        "一般设置在26℃左右为宜。",
        "一旦出现头晕、乏力、大量出汗等中暑先兆，应立即转移到阴凉通风处休息，必要时及时就医。",
    ), ("高温", "防暑"), info="minutes")


def _travel() -> QttDoc:
    return _doc("1815630174", "暑期亲子游升温 湖北多家景区推出夜游项目", "荆楚网",
                "2025-07-24 08:00:00", (
        "进入暑期，湖北亲子游市场持续升温。记者从省文旅厅了解到，全省多家景区推出夜游、研学等"
        "特色项目，吸引不少家庭游客。",
        "在宜昌，三峡大瀑布景区推出夜间灯光秀；在恩施，土司城的篝火晚会每晚座无虚席。不少家长"
        "表示，晚上气温下降，带孩子出门更舒适。",
        QttImage(_image_url("travel:1", datetime(2025, 7, 24, tzinfo=BEIJING)), 1080, 1440),
        "文旅部门提醒，游客出行前应关注天气预报和景区公告，合理安排行程，注意防暑和交通安全。",
    ), ("亲子游", "夜游", "湖北"))


def _stock() -> QttDoc:
    return _doc("1815688390", "A股三大指数集体收涨 半导体板块走强", "证券时报",
                "2025-07-24 15:30:00", (
        "7月24日，A股三大指数集体收涨。截至收盘，沪指涨0.65%，深证成指涨1.12%，创业板指涨1.5%，"
        "两市成交额超过1.3万亿元。",
        "盘面上，半导体、消费电子板块走强，多只个股涨停；银行、煤炭板块小幅回调。",
        "分析人士认为，近期政策面利好频出，市场情绪有所回暖，但仍需关注外部环境变化带来的扰动。",
    ), ("A股", "半导体"), info="minutes")


def _car() -> QttDoc:
    return _doc("1815850926", "新能源汽车下乡活动在襄阳启动 30余款车型参展", "襄阳日报",
                "2025-07-25 10:00:00", (
        "7月25日，2025年新能源汽车下乡活动湖北站在襄阳启动。30余款新能源车型集中亮相，吸引了"
        "周边县市的众多群众前来看车。",
        QttImage(_image_url("car:1", datetime(2025, 7, 25, tzinfo=BEIJING)), 1600, 900),
        "活动期间，参展企业推出购车补贴、免费充电等优惠措施，部分车型还提供以旧换新补贴。",
        "据介绍，今年以来襄阳新能源汽车销量同比增长四成，农村地区充电桩建设也在加快推进。",
    ), ("新能源汽车", "襄阳"))


def _old_cpi() -> QttDoc:
    return _doc("1811870257", "6月份居民消费价格同比上涨0.1%", "证券时报",
                "2025-07-09 09:30:00", (
        "国家统计局7月9日发布数据，6月份全国居民消费价格同比上涨0.1%，环比下降0.1%。",
        "其中，城市上涨0.1%，农村持平；食品价格下降0.3%，非食品价格上涨0.1%。",
    ), ("CPI", "统计局"))


def sample_docs(ifeng: IfengSample) -> dict[str, QttDoc]:
    """Every article of the sample, keyed by role."""
    return {
        "seed": _seed(),
        "repost": _repost(ifeng.docs[REPOST_OF]),
        "shared": _shared(),
        "nunjucks": _nunjucks(),
        "list_time_only": _list_time_only(),
        "deleted": _deleted(),
        "finance": _finance(),
        "too_old": _too_old(),
        "weather": _weather(),
        "travel": _travel(),
        "stock": _stock(),
        "car": _car(),
        "old_cpi": _old_cpi(),
    }


# ---------------------------------------------------------------- pages

_RECOMMENDED = (  # 相关推荐 under the article: links the spider must not mistake for content
    ("服博会今日开幕：一图看懂参展指南", "1815540117"),
    ("湖北今年夏粮再获丰收", "1815512246"),
)


def _info(doc: QttDoc) -> str:
    when = doc.published.astimezone(BEIJING)
    shown = {"seconds": f"{when:%Y-%m-%d %H:%M:%S} ", "minutes": f"{when:%Y-%m-%d %H:%M} ", "none": ""}
    return shown[doc.info] + escape(doc.account)


def article_page(doc: QttDoc) -> str:
    """The static page ``html2.qktoutiao.com/detail/YYYY/MM/DD/<id>.html``."""
    title = escape(doc.title)
    author_id = int(_sha1("author:" + doc.account)[:8], 16) % 10**7
    recommended = "".join(
        f'<li><a href="https://html2.qktoutiao.com/detail/2025/07/25/{cid}.html">{t}</a></li>'
        for t, cid in _RECOMMENDED
    )
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">\n'
        f"<title>{title}</title>\n"
        '<link rel="stylesheet" href="//static.1sapp.com/qukan/h5/detail/css/detail.3f2a1c.css">\n'
        "<script>var s = 'http:';</script>\n"
        "</head>\n<body>\n"
        '<div class="top-bar"><a href="https://home.qutoutiao.net/pages/home.html">趣头条</a>'
        '<span class="open-app">打开APP</span></div>\n'
        '<div class="article">\n'
        f"<h1>{title}</h1>\n"
        f'<div class="info">{_info(doc)}</div>\n'
        '<div class="content">\n'
        f"{doc.body_html}\n"
        "<script>window.__qkImgs = document.querySelectorAll('.content img');</script>\n"
        '<div id="img" style="display:none"><img src="//static.1sapp.com/qukan/h5/detail/img/viewer-bg.png">'
        "<span>点击查看大图</span></div>\n"
        "</div>\n</div>\n"
        f'<div class="recommend"><h3>相关推荐</h3><ul>{recommended}</ul></div>\n'
        '<div class="footer">打开趣头条APP，阅读更多精彩内容</div>\n'
        f"<script>var detail = ({{type:1, isOrigin:0, authorid:'{author_id}', "
        f"nickname:'{doc.account}', }});</script>\n"
        "</body>\n</html>\n"
    )


def no_such_key_page(doc: QttDoc) -> str:
    """What the object store answers (HTTP 404) for a deleted article."""
    key = doc.url.split("://", 1)[1].split("/", 1)[1]
    request_id = _sha1("request:" + doc.content_id)[:24].upper()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Error>\n"
        "  <Code>NoSuchKey</Code>\n"
        "  <Message>The specified key does not exist.</Message>\n"
        f"  <RequestId>{request_id}</RequestId>\n"
        "  <HostId>qktoutiao-html2.oss-cn-beijing.aliyuncs.com</HostId>\n"
        f"  <Key>{key}</Key>\n"
        "</Error>\n"
    )


# ---------------------------------------------------------------- the list API


def list_url(cid: int, min_time: int | None = None, limit: int = LIST_LIMIT) -> str:
    url = LIST_URL.format(cid=cid, limit=limit)
    return url if min_time is None else f"{url}&min_time={min_time}"


def _pv_id(seed: str) -> str:
    digest = _sha1("pv:" + seed).upper()
    return f"{{{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}}}"


def list_item(doc: QttDoc, cid: int, page: int) -> dict[str, Any]:
    key = _sha1(f"key:{cid}:{page}:{doc.content_id}")[:32]
    query = (f"?content_id={doc.content_id}&key={key}&pv_id={quote(_pv_id(f'{cid}:{page}'))}"
             f"&cid={cid}&cat={cid}&rss_source=&fr=15&hj=0&mod_id=&o=1&p=1&fqc_flag=0&skip_ad=0")
    counts = int(_sha1("reads:" + doc.content_id)[:6], 16)
    item: dict[str, Any] = {
        "id": doc.content_id,
        "title": doc.title,
        "type": str(cid),
        "content_type": "1",
        "source_name": doc.account if doc.source_name is None else doc.source_name,
        "nickname": doc.account,
        "source_id": str(int(_sha1("author:" + doc.account)[:8], 16) % 10**7),
        "introduction": doc.introduction,
        "url": doc.url + query,
        "cover": [doc.cover],
        "cover_show_type": "1",
        "tag": list(doc.tags),
        "read_count": str(counts % 90000 + 1000),
        "share_count": str(counts % 500),
        "comment_count": str(counts % 120),
        "is_hot": "0",
        "is_top": "0",
        "can_comment": "1",
        "tips": "",
    }
    if doc.list_times == "both":
        item["publish_time"] = str(doc.publish_ms)
        item["show_time"] = int(doc.published.timestamp()) + 95  # shown a little after publishing
    else:
        item["show_time"] = int(doc.published.timestamp())
    return item


def ad_item(cid: int, index: int) -> dict[str, Any]:
    return {"flag": 1, "imageType": 1, "times": 1, "type": "ad", "slotId": 2614221 + index,
            "cid": str(cid), "op": "2", "page": 1, "index": index, "tips": "广告",
            "appId": "dbc4db55"}


def list_json(cid: int, page: int, entries: Sequence[QttDoc | None], requested_min_time: int | None,
              recorded_at: datetime) -> str:
    """One outList answer; ``None`` entries are ad slots."""
    items = [ad_item(cid, n) if doc is None else list_item(doc, cid, page)
             for n, doc in enumerate(entries)]
    times = [doc.publish_ms for doc in entries if doc is not None]
    fallback = requested_min_time or 0
    now = int(recorded_at.timestamp())
    data = {
        "cid": str(cid), "pv_id": _pv_id(f"{cid}:{page}"), "count": len(items), "op": "2",
        "page": 1, "min_time": min(times, default=fallback), "max_time": max(times, default=fallback),
        "show_time": now, "data": items, "top": [],
    }
    return _json({"code": 0, "message": "成功", "currentTime": now, "data": data})


_KEY = re.compile(rb"(?<=[?&])key=[0-9A-Za-z]+")
_PV = re.compile(rb"(?<=[?&])pv_id=[^&\"]+")


def rotate_list_keys(url: str, body: bytes) -> bytes:
    """A ``SnapshotServer`` transform: fresh ``key``/``pv_id`` tokens in every list answer.

    The real API hands out new per-request tokens in article URLs each time it is asked.
    """
    if "/content/outList" not in url:
        return body
    body = _KEY.sub(lambda _: b"key=" + secrets.token_hex(16).encode(), body)
    return _PV.sub(lambda _: b"pv_id=" + quote(_pv_id(secrets.token_hex(8))).encode(), body)


# ---------------------------------------------------------------- the snapshot

AD = None
# Per category, its list pages newest first, each page's items newest first; None is an ad.
# cid 255's second page is reached only through min_time, its third is empty; cid 10's second
# page holds only articles older than max_age_days, so its third is never asked for.
_PAGES: dict[int, tuple[tuple[str | None, ...], ...]] = {
    255: (("repost", AD, "weather", "shared", "nunjucks", AD, "travel"),
          ("deleted", "seed", "list_time_only"),
          ()),
    1: (("car", "shared", AD), ()),
    10: (("finance", AD, "stock"), ("too_old", "old_cpi")),
}


def _http_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _record_lists(writer: SnapshotWriter, docs: Mapping[str, QttDoc]
                  ) -> tuple[dict[int, tuple[str, ...]], tuple[str, ...], int]:
    list_urls: dict[int, tuple[str, ...]] = {}
    unrecorded = []
    ads = 0
    for cid, pages in _PAGES.items():
        urls = []
        min_time: int | None = None
        for page, roles in enumerate(pages, start=1):
            entries = [None if role is None else docs[role] for role in roles]
            ads += entries.count(None)
            urls.append(list_url(cid, min_time))
            body = list_json(cid, page, entries, min_time, writer.recorded_at)
            writer.add(urls[-1], body, content_type=JSON_TYPE)
            min_time = json.loads(body)["data"]["min_time"]
        if pages[-1]:  # the last recorded page is not empty: the next one must not be needed
            unrecorded.append(list_url(cid, min_time))
        list_urls[cid] = tuple(urls)
    return list_urls, tuple(unrecorded), ads


def build_qutoutiao_snapshot(writer: SnapshotWriter, ifeng: IfengSample) -> QutoutiaoSample:
    """Record the Qutoutiao part of the bundled sample into ``writer`` (not saved).

    Article times are fixed in the week before 2025-07-26; build with ``recorded_at``
    2025-07-26 10:00+08:00. ``ifeng`` supplies the article one account reposts.
    """
    docs = sample_docs(ifeng)
    for doc in docs.values():
        if doc.deleted:
            writer.add(doc.url, no_such_key_page(doc), status=404, content_type=XML_TYPE)
            writer.mark_broken(doc.url, "an article deleted from the site (HTTP 404): recorded as gone, "
                               "not counted as an error")
        else:
            writer.add(doc.url, article_page(doc), content_type=HTML_TYPE,
                       headers={"Last-Modified": _http_date(doc.published)})
        for image in doc.images:
            writer.add(image.url, placeholder_png(image.url), content_type="image/png")
    list_urls, unrecorded, ads = _record_lists(writer, docs)
    return QutoutiaoSample(
        docs=docs,
        expected_archived=frozenset(
            {"seed", "repost", "shared", "nunjucks", "list_time_only", "finance"}),
        non_matching=frozenset({"weather", "travel", "stock", "car", "old_cpi"}),
        too_old=frozenset({"too_old", "old_cpi"}),
        deleted="deleted",
        shared="shared",
        repost_of=("repost", REPOST_OF),
        list_urls=list_urls,
        unrecorded_list_urls=unrecorded,
        ads=ads,
        recorded_at=writer.recorded_at,
    )
