"""Deterministic, varied Chinese news prose for the synthetic benchmark site."""

from __future__ import annotations

import random

TOPIC_KEYWORDS = ("服务外包", "服博会")

_PLACES = (
    "武汉",
    "宜昌",
    "襄阳",
    "荆州",
    "黄石",
    "十堰",
    "孝感",
    "咸宁",
    "随州",
    "恩施",
    "郑州",
    "洛阳",
    "开封",
    "新乡",
    "南阳",
    "信阳",
    "许昌",
    "安阳",
    "光谷",
    "汉口",
    "汉阳",
    "武昌",
    "东湖高新区",
    "经开区",
    "临空港",
    "江夏",
    "蔡甸",
    "黄陂",
    "新洲",
)
_ACTORS = (
    "市政府",
    "区商务局",
    "市发改委",
    "省交通运输厅",
    "市教育局",
    "当地社区",
    "街道办事处",
    "市卫健委",
    "一家科技企业",
    "多所高校",
    "行业协会",
    "市场监管部门",
    "城管部门",
    "文旅局",
    "志愿者团队",
    "物流企业",
    "农业合作社",
    "市气象台",
    "地铁集团",
    "供电公司",
    "消防救援支队",
    "图书馆",
    "博物馆",
    "体育中心",
)
_ACTIONS = (
    "召开专题会议",
    "发布实施方案",
    "启动试点工作",
    "开展集中整治",
    "举办主题活动",
    "完成升级改造",
    "签订合作协议",
    "推出便民措施",
    "组织专项培训",
    "开展联合检查",
    "上线数字平台",
    "公布年度数据",
    "新增服务网点",
    "优化办事流程",
    "扩大招生规模",
    "加快项目建设",
    "举行开工仪式",
    "开通新线路",
)
_TOPICS = (
    "城市更新",
    "乡村振兴",
    "营商环境",
    "智慧交通",
    "生态保护",
    "文化旅游",
    "医疗服务",
    "养老托育",
    "就业创业",
    "数字经济",
    "先进制造",
    "现代物流",
    "防汛抗旱",
    "校园安全",
    "食品安全",
    "垃圾分类",
    "夜间经济",
    "全民健身",
    "人才引进",
    "科技创新",
    "老旧小区改造",
    "公共图书馆建设",
)
_RESULTS = (
    "群众满意度明显提升",
    "办事时间平均缩短一半",
    "带动就业岗位数千个",
    "年产值有望突破百亿元",
    "覆盖居民超过十万人",
    "事故发生率同比下降",
    "游客接待量创历史新高",
    "企业开办实现一日办结",
    "空气质量优良天数持续增加",
    "市民出行更加便捷",
    "一批重点项目提前投产",
    "线上服务使用量快速增长",
)
_PEOPLE = (
    "张先生",
    "李女士",
    "王师傅",
    "刘老师",
    "陈经理",
    "赵大爷",
    "孙同学",
    "周医生",
    "吴主任",
    "郑工程师",
    "冯站长",
    "何处长",
)
_QUOTES = (
    "变化是实实在在的，我们都看在眼里",
    "希望这样的好政策能够长期坚持下去",
    "下一步还要把细节做得更好",
    "以前要跑好几趟，现在一次就办完了",
    "我们会继续听取群众意见，不断改进工作",
    "这对年轻人来说是难得的机会",
    "孩子上学近了，家里人都很高兴",
    "企业最看重的就是稳定的预期",
)
_TOPIC_SENTENCES = (
    "{place}{actor}表示，将以服务外包产业为抓手，推动数字服务出口提质增效。",
    "在刚刚结束的服博会上，{place}企业共签约项目{n}个，涉及软件研发和数据服务。",
    "据介绍，{place}今年上半年服务外包执行额同比增长{p}%，离岸业务占比进一步提高。",
    "{person}说：“服博会给了我们直接对接海外客户的平台，{quote}。”",
    "{place}正在申报服务外包示范城市，计划三年内培育{n}家重点企业。",
)
_SENTENCES = (
    "{date}，{place}{actor}围绕{topic}{action}，{result}。",
    "记者从{place}{actor}获悉，今年以来当地已累计投入资金{n}亿元用于{topic}。",
    "{person}告诉记者：“{quote}。”",
    "据统计，{place}前{m}个月{topic}相关指标同比增长{p}%，{result}。",
    "为推动{topic}，{place}{actor}{action}，并明确了时间表和路线图。",
    "{place}{actor}相关负责人介绍，下一步将围绕{topic}继续{action}。",
    "在{place}，{topic}已成为{actor}的重点工作之一，{result}。",
    "业内人士分析认为，{topic}需要长期投入，{place}的做法为周边地区提供了经验。",
    "截至{date}，{place}共有{n}个{topic}项目进入实施阶段，其中{m}个已经完工。",
    "{person}是{place}的一名普通居民，他注意到近来{topic}方面的变化：{result}。",
)


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        place=rng.choice(_PLACES),
        actor=rng.choice(_ACTORS),
        action=rng.choice(_ACTIONS),
        topic=rng.choice(_TOPICS),
        result=rng.choice(_RESULTS),
        person=rng.choice(_PEOPLE),
        quote=rng.choice(_QUOTES),
        n=rng.randint(2, 980),
        m=rng.randint(2, 11),
        p=f"{rng.uniform(1, 40):.1f}",
        date=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
    )


def paragraphs_text(rng: random.Random, target_bytes: int, *, on_topic: bool) -> list[str]:
    """Paragraphs of 3-7 sentences until about ``target_bytes`` of UTF-8; on-topic text
    mentions the topic keywords in some sentences, other text never does."""
    result: list[str] = []
    size = 0
    while size < target_bytes:
        sentences = []
        for _ in range(rng.randint(3, 7)):
            pool = _TOPIC_SENTENCES if on_topic and rng.random() < 0.15 else _SENTENCES
            sentences.append(_fill(rng, rng.choice(pool)))
        paragraph = "".join(sentences)
        result.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    return result


def title(rng: random.Random, *, on_topic: bool) -> str:
    place, topic = rng.choice(_PLACES), rng.choice(_TOPICS)
    if on_topic:
        return f"{place}{rng.choice(TOPIC_KEYWORDS)}新进展：{rng.choice(_RESULTS)}"
    return f"{place}{topic}：{rng.choice(_ACTORS)}{rng.choice(_ACTIONS)}"
