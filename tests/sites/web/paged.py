"""A people.cn column paged over three list pages, built from the test set's people pages.

The list pages keep ``people/list.html``'s structure and the articles ``people/article.html``'s
(its fields and body replaced), so a crawl of this column walks index.html → index2.html →
index3.html, each listing articles of its own, as the paging tests need (DESIGN §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from crawler.snapshot.writer import SnapshotWriter
from tests.sites.web import ROOT, write_snapshot

HOST = "http://hb.people.com.cn"
COLUMN = f"{HOST}/GB/192237/"
ARTICLE_URLS = (r"^https?://hb\.people\.com\.cn/n2/\d{4}/\d{4}/c\d+-\d+\.html$",)
LIST_URLS = (r"^http://hb\.people\.com\.cn/GB/192237/index\d*\.html$",)


@dataclass(frozen=True)
class PagedArticle:
    content_id: str
    day: str  # MMDD in July 2025
    title: str
    paragraphs: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"{HOST}/n2/2025/{self.day}/c192237-{self.content_id}.html"


PAGES: tuple[tuple[PagedArticle, ...], ...] = (
    (
        PagedArticle("41290011", "0725", "襄阳汽车零部件企业拿下海外订单", (
            "人民网襄阳7月25日电 记者从襄阳高新区获悉，当地一家汽车零部件企业日前与东南亚整车厂签下三年供"
            "货合同，首批产品下月发运。",
            "企业负责人说，为了这份订单，公司新上了两条自动化焊装线，车间用工反而比去年减少了六十人。",
            "这家企业十年前还只给本地整车厂配套，如今海外订单已占到产值的三成。市里的外贸服务中心为企业提供了"
            "报关、结汇和海外认证的一站式辅导，帮助企业在半年内拿到了三项国际认证。")),
        PagedArticle("41290012", "0725", "咸宁温泉小镇推出夏季夜游线路", (
            "人民网咸宁7月25日电 咸宁温泉小镇本周起推出夏季夜游线路，串联起老街、竹林步道和淦河沿岸的灯光秀。",
            "景区工作人员介绍，夜游票价比白天便宜一半，开放首周接待游客一万二千人次。",
            "为了夜游线路，景区新装了两千多盏节能灯，并在竹林步道沿线设置了六个志愿服务点。附近村民在老街摆起"
            "小吃摊，卖桂花糕和藕粉，每晚营业到十点半，周末的摊位要提前一周预约。")),
    ),
    (
        PagedArticle("41288021", "0723", "荆州长江大堤完成汛前加固", (
            "人民网荆州7月23日电 荆州段长江干堤上百公里的加固工程近日全部完工，新建的防浪墙和排渗沟已经投入使用。",
            "当地水利部门安排了二十四小时巡堤队伍，每公里堤段配备两名巡查员和一套应急物资。",
            "今年的加固工程重点处理了十三处历史险段，施工方在堤身内侧铺设了土工膜，并对沿线涵闸逐一做了启闭试"
            "验。水利部门说，主汛期前还将组织两次联合演练，检验巡堤、抢险和转移群众的衔接。")),
        PagedArticle("41288022", "0722", "黄冈茶农试种高山白茶", (
            "人民网黄冈7月22日电 在大别山南麓的一个村子里，十几户茶农今年第一次试种高山白茶，新茶园面积三百亩。",
            "农技站派来的技术员每周上山一次，教大家修剪和防虫，合作社承诺按保底价收购鲜叶。",
            "白茶对海拔和湿度要求高，村里选了两片背阴的缓坡地，先用一年时间改良土壤。合作社负责人算了一笔账，"
            "如果三年后进入丰产期，每亩收入有望比种绿茶高出一千元左右，村里的年轻人也愿意回来管茶园了。")),
    ),
    (
        PagedArticle("41286033", "0721", "十堰山区公路新通三条客运班线", (
            "人民网十堰7月21日电 十堰市本月新开通三条山区客运班线，沿线十一个村的村民坐车进城不用再绕道。",
            "班线由公交公司统一运营，票价按里程计算，最远一站八元，学生和老人半价。",
            "过去这些村子只有一趟早班车，错过了就要步行十几公里到镇上换乘。新班线每天往返四趟，车辆全部配备了"
            "卫星定位和车载监控，村民可以在手机上查到班车到站时间，赶集、看病和上学都方便了许多。")),
    ),
)


def list_url(page: int) -> str:
    return f"{COLUMN}index{page if page > 1 else ''}.html"


def list_page(page: int) -> str:
    """List page ``page`` (1-based) in people/list.html's structure, linking every other page."""
    html = (ROOT / "people" / "list.html").read_text(encoding="utf-8")
    items = "\n".join(
        f'      <li><a href="/n2/2025/{a.day}/c192237-{a.content_id}.html" target="_blank">{escape(a.title)}</a>'
        f"<em>2025年07月{a.day[2:]}日</em></li>" for a in PAGES[page - 1])
    html = re.sub(r'(<ul class="list_14">\n).*?(\n    </ul>)', lambda m: m[1] + items + m[2], html, flags=re.S)
    links = "".join(f'<a href="index{n if n > 1 else ""}.html">{n}</a>' for n in range(1, len(PAGES) + 1))
    return re.sub(r'(<div class="page_n clearfix">\n).*?(\n  </div>)', lambda m: m[1] + "    " + links + m[2],
                  html, flags=re.S)


def article_page(article: PagedArticle) -> str:
    """people/article.html with this article's title, id, date and body."""
    html = (ROOT / "people" / "article.html").read_text(encoding="utf-8")
    html = html.replace("武汉光谷服务外包园区新增三家交付中心", escape(article.title))
    html = html.replace("41286531", article.content_id)
    day = article.day[2:]
    html = html.replace("2025-07-24", f"2025-07-{day}").replace("2025年07月24日", f"2025年07月{day}日")
    body = "\n".join(f'        <p style="text-indent: 2em;">{escape(p)}</p>' for p in article.paragraphs)
    return re.sub(r'(<div class="rm_txt_con cf">\n)(        <p.*?)(\n      </div>)', lambda m: m[1] + body + m[3],
                  html, count=1, flags=re.S)


def write_paged_snapshot(root) -> SnapshotWriter:
    """The test set's snapshot with this column's three list pages and their articles."""
    writer = write_snapshot(root)
    for number in range(1, len(PAGES) + 1):
        writer.add(list_url(number), list_page(number).encode("utf-8"), content_type="text/html; charset=utf-8")
        for article in PAGES[number - 1]:
            writer.add(article.url, article_page(article).encode("utf-8"), content_type="text/html; charset=utf-8")
    writer.save()
    return writer


def all_articles() -> list[PagedArticle]:
    return [article for page in PAGES for article in page]
