"""The Chinese test set for the ``web`` spider: six publisher families, written by the team.

Each family's folder holds pages with the real sites' structure (navigation, related lists,
share widgets, comments, footers) and original text. ``ARTICLES`` says what each article page
must give: the fields and the body lines, in order. The HTML files are kept in UTF-8;
``WebPage.body`` encodes them as the site serves them (GBK, GB2312), so the bytes under test
are the real kind. ``write_snapshot`` puts every page, list, sitemap and feed into a snapshot
(crawler.snapshot) for crawls through the mirror.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crawler.snapshot.writer import SnapshotWriter

ROOT = Path(__file__).parent
RECORDED_AT = datetime.fromisoformat("2025-07-26T10:00:00+08:00")


@dataclass(frozen=True)
class WebPage:
    url: str
    file: str  # under tests/sites/web/
    content_type: str = "text/html; charset=utf-8"
    encoding: str = "utf-8"  # what the bytes are written in

    @property
    def body(self) -> bytes:
        return (ROOT / self.file).read_text(encoding="utf-8").encode(self.encoding)


@dataclass(frozen=True)
class Expected:
    """What an article page must give (the extractor's test and the benchmark's answer key)."""

    page: WebPage
    title: str
    published: str  # ISO 8601 with the zone
    outlet: str
    editor: str
    site_name: str
    site_id: str
    body: tuple[str, ...]  # the body's lines, in order
    images: tuple[str, ...] = ()
    junk: tuple[str, ...] = ()  # text that must not reach the body
    more_pages: tuple[WebPage, ...] = ()  # the article's next pages, in order
    family: str = field(default="", compare=False)

    @property
    def fields(self) -> dict[str, str]:
        return {"title": self.title, "published": self.published, "outlet": self.outlet,
                "editor": self.editor, "site_name": self.site_name}


PEOPLE = Expected(
    family="people",
    page=WebPage("http://hb.people.com.cn/n2/2025/0724/c192237-41286531.html", "people/article.html"),
    title="武汉光谷服务外包园区新增三家交付中心",
    published="2025-07-24T07:55:00+08:00",
    outlet="人民网－湖北频道",
    editor="刘一帆、陈静",
    site_name="人民网",
    site_id="c192237-41286531",
    body=(
        "人民网武汉7月24日电（周晓岚）记者从东湖高新区获悉，本月光谷服务外包园区新增三家软件交付中心，预计带来约一千二百个新就业岗位，园区入驻企业总数达到一百六十家。",
        "新落户的三家交付中心分别面向金融数据处理、工业软件测试和跨境电商客服。园区负责人介绍，今年以来园区把招引重点放在“接单能力强、用工规模大”的交付型企业上，配套建设了可容纳两千人的共享办公楼层。",
        "园区共享办公楼层一角。人民网 周晓岚摄",
        "为解决企业招工难题，园区联合本地十所高校开设了订单班，学生在校期间即可参加项目实训，毕业后直接进入交付岗位。今年首批订单班学员三百余人，已有九成签订就业协议。",
        "东湖高新区相关负责人表示，下一步将继续完善人才公寓、通勤班车等配套，力争年底前园区离岸执行额同比增长两成以上。",
    ),
    images=("http://hb.people.com.cn/NMediaFile/2025/0724/LOCAL202507240755000123456789.jpg",),
    junk=("责编", "相关新闻", "热门排行", "版权所有", "Copyright", "分享到", "湖北要闻"),
)

XINHUA = Expected(
    family="xinhua",
    page=WebPage("https://www.news.cn/local/20250724/3f1c2a9be0d84d6fa1b2c3d4e5f60718/c.html",
                 "xinhua/article.html"),
    title="长江沿线数字贸易合作联盟成立",
    published="2025-07-24T10:32:08+08:00",
    outlet="新华网",
    editor="姚晓岚",
    site_name="新华网",
    site_id="3f1c2a9be0d84d6fa1b2c3d4e5f60718",
    body=(
        "新华社重庆7月24日电（记者汤明远）长江沿线十一个省市的商务部门、园区和企业24日在重庆共同发起成立数字贸易合作联盟，首批成员单位八十余家。",
        "联盟将围绕跨境数据服务、数字内容出口和软件外包接单等领域搭建对接平台，推动成员之间共享海外客户渠道和合规咨询资源。",
        "在当天举行的对接会上，来自成都、武汉、南京等地的二十多家企业现场签订了合作意向，涉及云计算运维、动漫制作和多语种客服等项目。",
        "重庆市商务委员会有关负责人说，联盟成员将每年轮流举办一次对接活动，并共同研究制定数字贸易统计口径。",
    ),
    images=("https://www.news.cn/local/20250724/3f1c2a9be0d84d6fa1b2c3d4e5f60718/20250724a1b2c3d4_f0e1d2c3b4a5.jpg",),
    junk=("责任编辑", "纠错", "相关阅读", "热点推荐", "Copyright", "版权所有", "分享"),
)

THEPAPER = Expected(
    family="thepaper",
    page=WebPage("https://www.thepaper.cn/newsDetail_forward_31254789", "thepaper/article.html"),
    title="县域快递进村，最后一公里怎么走通",
    published="2025-07-24T09:12:00+08:00",
    outlet="澎湃新闻",
    editor="黄一鸣",
    site_name="澎湃新闻",
    site_id="newsDetail_forward_31254789",
    body=(
        "在鄂西一个山区县，快递包裹从县城分拨中心到村口服务点，过去要走三天，如今缩短到一天。",
        "变化始于去年秋天。县里把邮政、供销和四家民营快递的末端网点合并，统一由一辆“共配车”每天按固定线路跑一圈，沿途二十三个村级服务点同时取件和派件。",
        "“以前一家快递一辆车，车上常常只装半车货。”共配中心负责人说，合并线路以后，每单末端成本下降了四成左右。",
        "村口服务点多设在小超市里，店主代收包裹每件能拿到几毛钱的补贴。一位店主说，来取快递的村民顺手买点油盐，店里的生意也比以前好。",
        "不过，共配模式也有难处：旺季时车辆不够，几家快递之间的结算规则仍在磨合。县商务局表示，下一步打算引入智能柜，并把农产品上行和快递下行放到同一条线路上。",
    ),
    images=("https://imagecloud.thepaper.cn/thepaper/image/321/654/987.jpg",),
    junk=("澎湃热榜", "加载中", "ICP", "登录"),
)

CHINANEWS = Expected(
    family="chinanews",
    page=WebPage("https://www.chinanews.com.cn/cj/2025/07-24/10453312.shtml", "chinanews/article.html",
                 content_type="text/html; charset=GBK", encoding="gbk"),
    title="朱镕基题写校名的老校区改造完成 将建服务外包实训基地",
    published="2025-07-24T15:20:00+08:00",
    outlet="中国新闻网",
    editor="田博群",
    site_name="中新网",
    site_id="10453312",
    body=(
        "中新网长沙7月24日电（记者 罗清和）一所建于上世纪八十年代、由朱镕基题写校名的职业学院老校区，近日完成改造，将作为服务外包实训基地向企业开放。",
        "改造后的校区保留了原有的红砖教学楼，内部改为可同时容纳八百人实训的机房和模拟呼叫中心。学院与本地六家外包企业签订协议，由企业派出项目经理驻校授课。",
        "学院负责人介绍，实训内容覆盖数据标注、财务共享服务和软件测试三个方向，学员完成三个月实训并通过考核后，可优先进入合作企业工作。",
        "当地人社部门表示，将把该基地纳入职业技能培训补贴范围，符合条件的学员可按规定领取培训补贴。",
    ),
    images=("https://i2.chinanews.com.cn/simg/cmshd/2025/07/24/3a7f9b2c4d5e6f708192a3b4c5d6e7f8.jpg",),
    junk=("编辑:", "网友评论", "网友：", "热点推荐", "分享到", "大字体", "书面授权", "Copyright"),
)

CHINANEWS_PAGED = Expected(
    family="chinanews",
    page=WebPage("https://www.chinanews.com.cn/sh/2025/07-25/10454120.shtml", "chinanews/multipage1.html",
                 content_type="text/html", encoding="gbk"),
    more_pages=(WebPage("https://www.chinanews.com.cn/sh/2025/07-25/10454120_2.shtml",
                        "chinanews/multipage2.html", content_type="text/html", encoding="gbk"),),
    title="一条老街的夜市复苏记",
    published="2025-07-25T20:05:00+08:00",
    outlet="中国新闻网",
    editor="邵明",
    site_name="中新网",
    site_id="10454120",
    body=(
        "中新网南昌7月25日电（记者 程一禾）傍晚六点，老街两侧的卷帘门陆续拉起，炒粉、凉糕和竹编小摊沿街排开，这条一度冷清的老街又热闹了起来。",
        "三年前，老街因道路改造关闭了一年多，不少老店搬走。改造完成后，街道办把夜间临时摊位交给社区统一管理，摊主只需登记就能免费出摊。",
        "摊位按“一户一位”分配，优先给附近居民。卖凉糕的胡阿姨说，她家就住在街尾，晚上出摊两三个小时，一个月能多挣两千多元。",
        "夜市带旺了白天的生意。街口的老茶馆重新开张，年轻人开的咖啡店和手作铺子也搬了进来，周末游客比平日多出一倍。",
        "社区也在操心新的问题：油烟、噪音和垃圾。现在每晚十点半收摊，十一点前由保洁员清扫完毕，摊主轮流值守，劝导游客不乱停车。",
        "街道办负责人表示，接下来准备给摊位统一安装电源桩，并在街口设置公共餐桌，让老街的夜晚更有烟火气。",
    ),
    junk=("下一页", "上一页", "编辑:", "Copyright"),
)

SINA = Expected(
    family="sina",
    page=WebPage("https://news.sina.com.cn/c/2025-07-24/doc-infxkqzm4521783.shtml", "sina/article.html"),
    title="社区食堂开进老旧小区 一餐十二元吃得上热饭",
    published="2025-07-24T08:41:00+08:00",
    outlet="楚天都市报",
    editor="张晓川",
    site_name="新浪新闻",
    site_id="doc-infxkqzm4521783",
    body=(
        "社区食堂里用餐的老人",
        "原标题：老旧小区里开了家社区食堂",
        "中午十一点刚过，江汉区一个建于上世纪九十年代的老小区里，新开的社区食堂已经排起了队。两荤一素加一碗汤，七十岁以上的老人只要十二元。",
        "食堂由社区闲置的自行车棚改造而来，面积不到二百平方米。运营方是一家本地餐饮企业，菜品每周更换，菜单会提前贴在小区公告栏里。",
        "社区书记说，小区里六十岁以上的居民占了三成多，不少是独居老人，买菜做饭成了难题。食堂开张一个月，每天中午就餐的有二百来人。",
        "除了堂食，食堂还为行动不便的老人提供送餐，由社区志愿者骑电动车送上门，每单加收两元。",
    ),
    images=("https://n.sinaimg.cn/news/crawl/120/w550h330/20250724/ab12-cd34ef56.jpg",),
    junk=("责任编辑", "我要评论", "已有128人参与", "我们小区也想开一个", "文章关键词", "扫二维码", "公众号",
          "相关新闻", "SINA Corporation", "blank.gif"),
)

GOV = Expected(
    family="gov",
    page=WebPage("http://www.hubei.gov.cn/zwgk/hbyw/hbywqb/202507/t20250724_5712208.shtml", "gov/article.html",
                 content_type="text/html", encoding="gb2312"),
    title="全省县域商业体系建设现场推进会在宜昌召开",
    published="2025-07-24T16:03:00+08:00",
    outlet="湖北日报",
    editor="",
    site_name="湖北省人民政府门户网站",
    site_id="t20250724_5712208",
    body=(
        "7月24日，全省县域商业体系建设现场推进会在宜昌召开。会议总结了上半年各地推进县域商业体系建设的做法，部署下一阶段重点任务。",
        "与会人员实地察看了夷陵区乡镇商贸中心、县级物流配送中心和村级便民商店。据介绍，全省已建成县级物流配送中心七十余个，乡镇商贸中心覆盖率超过八成。",
        "会议要求，各地要补齐农村商业设施短板，推动快递物流、供销网点和电商服务站点资源共享，让农产品进城和工业品下乡更加便捷。",
        "会议还对县域商业领域安全生产工作作了安排。",
    ),
    images=("http://www.hubei.gov.cn/zwgk/hbyw/hbywqb/202507/W020250724603112345678.jpg",),
    junk=("发布时间", "字体", "打印", "分享到", "相关文章", "版权所有", "ICP", "网站标识码", "无障碍"),
)

ARTICLES: tuple[Expected, ...] = (PEOPLE, XINHUA, THEPAPER, CHINANEWS, CHINANEWS_PAGED, SINA, GOV)

# Discovery pages: list pages, sitemaps and feeds, as the sites serve them.
XML = "application/xml; charset=utf-8"
LISTS = (
    WebPage("http://hb.people.com.cn/GB/192237/index.html", "people/list.html"),
    WebPage("http://hb.people.com.cn/GB/192237/index2.html", "people/list2.html"),
    WebPage("https://www.news.cn/local/", "xinhua/list.html"),
    WebPage("http://www.hubei.gov.cn/zwgk/hbyw/hbywqb/", "gov/list.html", content_type="text/html",
            encoding="gb2312"),
    WebPage("https://www.chinanews.com.cn/sitemap/index.xml", "chinanews/sitemap_index.xml", XML),
    WebPage("https://www.chinanews.com.cn/sitemap/cj.xml", "chinanews/sitemap_cj.xml", XML),
    WebPage("https://www.chinanews.com.cn/sitemap/news.xml", "chinanews/sitemap_news.xml", XML),
    WebPage("https://www.thepaper.cn/rss/channel_25951.xml", "thepaper/feed.xml", "application/atom+xml"),
    WebPage("https://news.sina.com.cn/rss/china.xml", "sina/rss.xml", "application/rss+xml; charset=utf-8"),
)


def all_pages() -> list[WebPage]:
    pages = [*LISTS]
    for expected in ARTICLES:
        pages += [expected.page, *expected.more_pages]
    return pages


def write_snapshot(root: Path, recorded_at: datetime = RECORDED_AT) -> SnapshotWriter:
    """Every page of the test set in a snapshot folder (robots.txt allowing all, as the sites do)."""
    writer = SnapshotWriter(root, recorded_at)
    add_pages(writer)
    writer.save()
    return writer


def add_pages(writer: SnapshotWriter) -> None:
    """Every page of the test set into ``writer`` (not saved), robots.txt allowing all."""
    for page in all_pages():
        writer.add(page.url, page.body, content_type=page.content_type)
    for host in sorted({page.url.split("/")[2] for page in all_pages()}):
        for scheme in ("http", "https"):
            writer.add(f"{scheme}://{host}/robots.txt", b"User-agent: *\nDisallow:\n", content_type="text/plain")
